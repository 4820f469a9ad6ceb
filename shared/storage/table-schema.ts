/**
 * The one DynamoDB table, as plain data: the CDK stack, the local stack and the tests all create it from
 * this, so they cannot drift. On-demand billing; every item has `pk`/`sk`; three sparse GSIs.
 *
 * - gsi1 `byParent`: children of a parent in order (a connection's calendars, a calendar's events by start
 *   time, an endpoint's deliveries).
 * - gsi2 `syncDue`: sync-enabled calendars by next safety-sync time, sharded across all tenants (scheduler).
 * - gsi3 `pushExpiry`: calendars by push channel expiry, sharded across all tenants (renewer).
 */
export const TABLE_PARTITION_KEY = 'pk';
export const TABLE_SORT_KEY = 'sk';
/** Epoch seconds; DynamoDB deletes the item some time after it. Readers must still check it. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEX = {
  byParent: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  syncDue: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  pushExpiry: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

/** Shards of the cross-tenant indexes: spreads scheduler writes and reads over several partitions. */
export const SCHEDULER_SHARDS = 4;

export const TABLE_SCHEMA = {
  partitionKey: TABLE_PARTITION_KEY,
  sortKey: TABLE_SORT_KEY,
  ttlAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: Object.values(INDEX),
} as const;

/** The table name used when none is configured (local stack, tests). */
export const DEFAULT_TABLE_NAME = 'calendar-integrations';
