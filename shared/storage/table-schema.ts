/**
 * The one DynamoDB table, as plain data: the CDK stack, the local stack and the tests all create it from
 * this, so they cannot drift. On-demand billing; every item has `pk`/`sk`; four sparse GSIs.
 *
 * - gsi1 `byParent`: children of a parent in order (a connection's calendars, a calendar's events by start
 *   time, an endpoint's deliveries).
 * - gsi2 `syncDue`: sync-enabled calendars by next safety-sync time, sharded across all tenants (scheduler).
 * - gsi3 `pushExpiry`: calendars by push channel expiry, sharded across all tenants (renewer).
 * - gsi4 `busyByStart`: per calendar, by start, only the single events that make the owner busy, projecting
 *   just what the busy projection reads (free/busy, availability): 2,000 events fit in one query page.
 */
export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_SORT_KEY = 'sk';
/** Epoch seconds; DynamoDB deletes the item some time after it. Readers must still check it. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEX = {
  byParent: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  syncDue: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  pushExpiry: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  busyByStart: { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
} as const;

/**
 * Attributes an index projects beside the keys; an index not named here projects every attribute. gsi4
 * holds what `projectBusyIndexItems` reads: the epoch-ms span of timed events, the dates of all-day ones
 * (and the ISO instants of items written before `startMs` existed), and `endUtc` for the range filter.
 */
export const INDEX_PROJECTIONS: Partial<Record<keyof typeof INDEX, readonly string[]>> = {
  busyByStart: ['startMs', 'endMs', 'start', 'end', 'endUtc'],
};

/** Shards of the cross-tenant indexes: spreads scheduler writes and reads over several partitions. */
export const SCHEDULER_SHARDS = 4;

export const TABLE_SCHEMA = {
  partitionKey: TABLE_PARTITION_KEY,
  sortKey: TABLE_SORT_KEY,
  ttlAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: (Object.keys(INDEX) as (keyof typeof INDEX)[]).map((id) => ({ ...INDEX[id], nonKeyAttributes: INDEX_PROJECTIONS[id] ?? null })),
} as const;

/** The table name used when none is configured (local stack, tests). */
export const DEFAULT_TABLE_NAME = 'calendar-integrations';
