import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/** An event-type filter: an exact type (`calendar.event.updated`), a prefix wildcard (`calendar.*`) or `*`. */
export const EventTypeFilter = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/, 'an event type, a prefix ending in .*, or *'));

export function eventTypeMatches(filters: readonly string[], type: string): boolean {
  return filters.some((filter) => filter === '*' || filter === type || (filter.endsWith('.*') && type.startsWith(filter.slice(0, -1))));
}

export const WebhookEndpoint = z.object({
  tenantId: TenantId,
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(EventTypeFilter),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  disabledReason: z.nullable(z.enum(['gone', 'failing', 'manual'])),
  /** Start of the current unbroken run of failed attempts; null after any success. */
  failingSince: z.nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
  version: z.int(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;
