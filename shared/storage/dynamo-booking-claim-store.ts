import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BookingClaimStore, ClaimConflict, ClaimRange, ClaimRequest, ClaimResult } from '../ports/booking-claim-store.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE } from './item-codec.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';
import { backoffDelayMs } from '../../shared/domain/backoff.ts';

/**
 * Durations, intervals and UTC offsets are all multiples of 5 minutes, so two bookings overlap exactly when
 * they share a 5-minute granule: one item per resource and granule, written with a condition, is an exact
 * overlap test that holds across Lambda instances.
 */
export const CLAIM_GRANULE_MS = 5 * 60_000;
/** DynamoDB's TransactWriteItems limit. */
const TRANSACTION_ITEMS = 100;
const CONTENTION_RETRIES = 12;
/** Confirmed claims are kept a while after they end (reschedule history), then DynamoDB's TTL drops them. */
const KEEP_AFTER_END_S = 7 * 86_400;

export interface DynamoBookingClaimStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Waits between retries of a transaction that met another one on the same items (tests pass a fake). */
  pause?: (ms: number) => Promise<void>;
}

interface Granule {
  resource: string;
  startMs: number;
}

export function claimKey(tenantId: string, resource: string, startMs: number): { pk: string; sk: string } {
  return { pk: `T#${tenantId}#CLAIM#${resource}`, sk: `G#${new Date(startMs).toISOString()}` };
}

export function granulesOf(resources: readonly string[], ranges: readonly ClaimRange[]): Granule[] {
  const out: Granule[] = [];
  // Sorted the same way by every caller, so chunked claims are taken in one global order (no deadlock).
  for (const resource of [...new Set(resources)].sort()) {
    for (const range of [...ranges].sort((a, b) => a.startMs - b.startMs)) {
      const first = Math.floor(range.startMs / CLAIM_GRANULE_MS) * CLAIM_GRANULE_MS;
      for (let start = first; start < range.endMs; start += CLAIM_GRANULE_MS) out.push({ resource, startMs: start });
    }
  }
  return out;
}

export class DynamoBookingClaimStore implements BookingClaimStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #pause: (ms: number) => Promise<void>;

  constructor(options: DynamoBookingClaimStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#pause = options.pause ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const granules = granulesOf(request.resources, request.ranges);
    const taken: Granule[][] = [];
    for (let offset = 0; offset < granules.length; offset += TRANSACTION_ITEMS) {
      const chunk = granules.slice(offset, offset + TRANSACTION_ITEMS);
      const result = await this.#claimChunk(request, chunk);
      if (!result.ok) {
        // Claims past 100 items span transactions: undo the earlier chunks so a refusal holds nothing.
        for (const done of taken) await this.#releaseGranules(request.tenantId, request.bookingId, done);
        return result;
      }
      taken.push(chunk);
    }
    return { ok: true };
  }

  async #claimChunk(request: ClaimRequest, chunk: Granule[]): Promise<ClaimResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#doc.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((granule) => ({
              Put: {
                TableName: this.#tableName,
                Item: {
                  ...claimKey(request.tenantId, granule.resource, granule.startMs),
                  [ENTITY_ATTRIBUTE]: 'booking-claim',
                  bookingId: request.bookingId,
                  state: 'pending',
                  leaseUntilMs: request.leaseUntilMs,
                  // A lease that is never confirmed is also dropped by TTL, well after it stopped holding.
                  [TTL_ATTRIBUTE]: Math.ceil(request.leaseUntilMs / 1000) + KEEP_AFTER_END_S,
                },
                ConditionExpression: 'attribute_not_exists(pk) OR bookingId = :me OR (#state = :pending AND leaseUntilMs < :now)',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':me': request.bookingId, ':pending': 'pending', ':now': request.nowMs },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            })),
          }),
        );
        return { ok: true };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw translateDynamoError(error, 'BookingClaimStore.claim');
        const conflicts: ClaimConflict[] = [];
        reasons.forEach((reason, index) => {
          if (reason.Code !== 'ConditionalCheckFailed') return;
          // The document client does not unmarshall cancellation reasons: the item comes as attribute values.
          const raw = reason.Item?.bookingId as { S?: unknown } | string | undefined;
          const holder = typeof raw === 'string' ? raw : raw?.S;
          conflicts.push({ resource: chunk[index]!.resource, startMs: chunk[index]!.startMs, ...(typeof holder === 'string' ? { bookingId: holder } : {}) });
        });
        if (conflicts.length > 0) return { ok: false, conflicts };
        // Only contention with a transaction in flight: it may yet fail, so try again rather than refuse.
        if (!reasons.some((reason) => reason.Code === 'TransactionConflict')) throw translateDynamoError(error, 'BookingClaimStore.claim');
        // Still contended after many tries: someone else is busy taking it, so it is not free for us.
        if (attempt >= CONTENTION_RETRIES) return { ok: false, conflicts: [{ resource: chunk[0]!.resource, startMs: chunk[0]!.startMs }] };
        await this.#pause(backoffDelayMs(attempt, { baseMs: 10, capMs: 200 }));
      }
    }
  }

  async confirm(request: Omit<ClaimRequest, 'leaseUntilMs' | 'nowMs'>): Promise<void> {
    const granules = granulesOf(request.resources, request.ranges);
    const endMs = Math.max(...request.ranges.map((range) => range.endMs));
    for (let offset = 0; offset < granules.length; offset += TRANSACTION_ITEMS) {
      const chunk = granules.slice(offset, offset + TRANSACTION_ITEMS);
      try {
        await this.#doc.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((granule) => ({
              Update: {
                TableName: this.#tableName,
                Key: claimKey(request.tenantId, granule.resource, granule.startMs),
                UpdateExpression: 'SET #state = :confirmed, #ttl = :ttl REMOVE leaseUntilMs',
                ConditionExpression: 'bookingId = :me',
                ExpressionAttributeNames: { '#state': 'state', '#ttl': TTL_ATTRIBUTE },
                ExpressionAttributeValues: { ':me': request.bookingId, ':confirmed': 'confirmed', ':ttl': Math.ceil(endMs / 1000) + KEEP_AFTER_END_S },
              },
            })),
          }),
        );
      } catch (error) {
        throw translateDynamoError(error, 'BookingClaimStore.confirm');
      }
    }
  }

  async release(request: Omit<ClaimRequest, 'leaseUntilMs' | 'nowMs'>): Promise<void> {
    await this.#releaseGranules(request.tenantId, request.bookingId, granulesOf(request.resources, request.ranges));
  }

  async #releaseGranules(tenantId: string, bookingId: string, granules: Granule[]): Promise<void> {
    for (let offset = 0; offset < granules.length; offset += TRANSACTION_ITEMS) {
      const chunk = granules.slice(offset, offset + TRANSACTION_ITEMS);
      // One by one, not in a transaction: a granule already taken over by someone else must not stop the rest.
      await Promise.all(
        chunk.map(async (granule) => {
          try {
            await this.#doc.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Delete: {
                      TableName: this.#tableName,
                      Key: claimKey(tenantId, granule.resource, granule.startMs),
                      ConditionExpression: 'bookingId = :me',
                      ExpressionAttributeValues: { ':me': bookingId },
                    },
                  },
                ],
              }),
            );
          } catch (error) {
            if (cancellationReasons(error)?.some((reason) => reason.Code === 'ConditionalCheckFailed')) return;
            throw translateDynamoError(error, 'BookingClaimStore.release');
          }
        }),
      );
    }
  }
}

function cancellationReasons(error: unknown): { Code?: string; Item?: Record<string, unknown> }[] | null {
  const shape = error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] };
  return shape?.name === 'TransactionCanceledException' ? (shape.CancellationReasons ?? []) : null;
}
