import type * as z from 'zod/mini';
import { AppError } from '../domain/app-error.ts';
import { INDEX, TABLE_PARTITION_KEY, TABLE_SORT_KEY, TTL_ATTRIBUTE } from './table-schema.ts';

/** What kind of item a row is; written on every item so a table dump reads by itself. */
export type EntityName = 'connection' | 'credentials' | 'calendar' | 'event' | 'oauth-state' | 'push-channel' | 'idempotency' | 'webhook-endpoint' | 'webhook-delivery' | 'schedule' | 'booking-type' | 'booking' | 'booking-claim' | 'notification-channel' | 'notification' | 'notification-opt-out' | 'unsubscribe-token' | 'video-connection' | 'video-usage' | 'booking-meeting' | 'booking-type-public-id' | 'rate-bucket' | 'signing-key' | 'booking-attempt' | 'integration-log';

export const ENTITY_ATTRIBUTE = 'entity';

/** Key, index and bookkeeping attributes that are not part of any domain object. */
const STORAGE_ATTRIBUTES: readonly string[] = [
  TABLE_PARTITION_KEY,
  TABLE_SORT_KEY,
  ...Object.values(INDEX).flatMap((index) => [index.partitionKey, index.sortKey]),
  ENTITY_ATTRIBUTE,
  TTL_ATTRIBUTE,
];

export type StoredItem = Record<string, unknown>;

/**
 * Reads a stored item back into its domain shape: storage attributes (and `extra`, e.g. a calendar's lease)
 * are dropped, then the domain schema validates the rest, so a corrupt item fails loudly here instead of
 * deep inside a use-case.
 */
export function parseItem<S extends z.ZodMiniType>(schema: S, item: StoredItem, entity: EntityName, extra: readonly string[] = []): z.infer<S> {
  const fields: StoredItem = {};
  for (const [name, value] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.includes(name) && !extra.includes(name)) fields[name] = value;
  }
  const result = schema.safeParse(fields);
  if (!result.success) {
    // Paths only: values may be personal data.
    const paths = result.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('internal.unexpected', `Stored ${entity} item is invalid at ${paths.join(', ')}`, {
      retryable: false,
      details: { entity, paths },
    });
  }
  return result.data;
}

/** Validates a domain object before it is written: a caller's defect, reported without its values. */
export function validForWrite<S extends z.ZodMiniType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const paths = result.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('internal.unexpected', `Refusing to store an invalid ${what} (${paths.join(', ')})`, { retryable: false, details: { paths } });
  }
  return result.data;
}

/** Like validForWrite for a partial update: a field the schema does not allow is refused, not dropped. */
export function validPatch<S extends z.ZodMiniObject>(schema: S, patch: object, what: string): z.infer<S> {
  const unknown = Object.keys(patch).filter((field) => !(field in schema.shape));
  if (unknown.length > 0) throw new AppError('internal.unexpected', `${what} cannot change ${unknown.join(', ')}`, { retryable: false });
  return validForWrite(schema, patch, what);
}

export function toEpochSeconds(date: Date | number): number {
  return Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);
}
