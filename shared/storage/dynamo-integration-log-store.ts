import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IntegrationLogEntry, LOG_RETENTION_DAYS, type LogEntryType } from '../domain/integration-log.ts';
import type { Clock } from '../ports/clock.ts';
import type { IntegrationLogStore, LogFilter } from '../ports/integration-log.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite, type StoredItem } from './item-codec.ts';
import { queryFilteredPage } from './dynamo-query.ts';
import { keys } from './keys.ts';
import { decodePageCursor, validatePageLimit } from './page-cursor.ts';
import { INDEX, TABLE_PARTITION_KEY, TABLE_SORT_KEY, TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoIntegrationLogStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}

/** Entry types that are work done on a connection itself (its errors count in the health summary). */
const CONNECTION_WORK_TYPES: readonly LogEntryType[] = ['sync.run', 'token.refresh', 'push.received', 'push.renewed', 'error'];


type Partition = { kind: 'tenant' | 'booking'; pk: string } | { kind: 'connection'; gsiPk: string };

/**
 * The integration log (scheduling.md §2 "Integration log and health"). Keys are chosen for the three
 * listings the API offers, each a single-partition query, newest first:
 *
 * - by tenant and time: `T#<t>#LOG` / `LOG#<at>#<id>`;
 * - by connection: gsi1 `T#<t>#CONN#<c>#LOGS` / `LOG#<at>#<id>` on the same item;
 * - by booking: a copy of the entry in `T#<t>#BKG#<b>#LOGS` / `LOG#<at>#<id>` (a booking is also on a
 *   connection, and one item can sit in only one gsi1 partition).
 *
 * `since` is a key condition (the sort key starts with the time); type, success and a connection within a
 * booking are filters, capped per call like the delivery log. Every item carries `expiresAt` (TTL) 90 days
 * after the entry, and a listing skips items past it that DynamoDB has not removed yet. Cursors carry the
 * sort key only; the partition is re-derived from the caller's tenant and filter.
 */
export class DynamoIntegrationLogStore implements IntegrationLogStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoIntegrationLogStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#clock = options.clock;
  }

  async append(entry: IntegrationLogEntry): Promise<void> {
    const valid = validForWrite(IntegrationLogEntry, entry, 'integration log entry');
    const sk = keys.integrationLogSortKey(valid.at, valid.id);
    const common = { [ENTITY_ATTRIBUTE]: 'integration-log', [TTL_ATTRIBUTE]: toEpochSeconds(Date.parse(valid.at)) + LOG_RETENTION_DAYS * 86_400, ...valid };
    const items: StoredItem[] = [
      {
        [TABLE_PARTITION_KEY]: keys.integrationLogPartition(valid.tenantId),
        [TABLE_SORT_KEY]: sk,
        ...(valid.connectionId ? { [INDEX.byParent.partitionKey]: keys.integrationLogOfConnection(valid.tenantId, valid.connectionId), [INDEX.byParent.sortKey]: sk } : {}),
        ...common,
      },
    ];
    if (valid.bookingId) items.push({ [TABLE_PARTITION_KEY]: keys.integrationLogOfBooking(valid.tenantId, valid.bookingId), [TABLE_SORT_KEY]: sk, ...common });
    await Promise.all(items.map((Item) => dynamoCall('IntegrationLogStore.append', () => this.#doc.send(new PutCommand({ TableName: this.#tableName, Item })))));
  }

  async list(tenantId: string, filter: LogFilter, request: PageRequest): Promise<Page<IntegrationLogEntry>> {
    const limit = validatePageLimit(request.limit);
    const partition: Partition = filter.bookingId
      ? { kind: 'booking', pk: keys.integrationLogOfBooking(tenantId, filter.bookingId) }
      : filter.connectionId
        ? { kind: 'connection', gsiPk: keys.integrationLogOfConnection(tenantId, filter.connectionId) }
        : { kind: 'tenant', pk: keys.integrationLogPartition(tenantId) };
    const startSk = request.cursor ? decodePageCursor(request.cursor, keys.integrationLogPrefix) : null;
    const query = this.#query(tenantId, partition, filter);
    // Without a selective filter nearly every item read is returned: read what the page needs.
    const selective = filter.type !== undefined || filter.success !== undefined || (filter.connectionId !== undefined && partition.kind === 'booking');
    const { items, cursor } = await queryFilteredPage(this.#doc, { ...query, ScanIndexForward: false }, 'IntegrationLogStore.list', {
      limit,
      startKey: startSk ? startKeyOf(tenantId, partition, startSk) : undefined,
      filteredReadSize: selective ? 200 : null,
      sortKeyAttribute: TABLE_SORT_KEY,
    });
    return { items: items.map((item) => parseItem(IntegrationLogEntry, item, 'integration-log')), cursor };
  }

  async countFailures(tenantId: string, connectionId: string, since: Date, cap: number): Promise<number> {
    const query = this.#query(tenantId, { kind: 'connection', gsiPk: keys.integrationLogOfConnection(tenantId, connectionId) }, { since, success: false });
    // The connection's own work only: a failed webhook or notification about it is the receiver's problem.
    CONNECTION_WORK_TYPES.forEach((type, i) => (query.ExpressionAttributeValues[`:work${i}`] = type));
    query.ExpressionAttributeNames['#type'] = 'type';
    query.FilterExpression += ` AND #type IN (${CONNECTION_WORK_TYPES.map((_type, i) => `:work${i}`).join(', ')})`;
    let count = 0;
    let next: Record<string, unknown> | undefined;
    for (let page = 0; page < 50 && count < cap; page++) {
      const output = await dynamoCall('IntegrationLogStore.countFailures', () => this.#doc.send(new QueryCommand({ ...query, Select: 'COUNT', ExclusiveStartKey: next })));
      count += output.Count ?? 0;
      next = output.LastEvaluatedKey;
      if (!next) break;
    }
    return Math.min(count, cap);
  }

  #query(tenantId: string, partition: Partition, filter: LogFilter) {
    const names: Record<string, string> = { '#pk': partition.kind === 'connection' ? INDEX.byParent.partitionKey : TABLE_PARTITION_KEY, '#sk': partition.kind === 'connection' ? INDEX.byParent.sortKey : TABLE_SORT_KEY, '#ttl': TTL_ATTRIBUTE, '#tenant': 'tenantId' };
    const values: Record<string, unknown> = { ':pk': partition.kind === 'connection' ? partition.gsiPk : partition.pk, ':now': toEpochSeconds(this.#clock.now()), ':tenant': tenantId };
    let keyCondition = '#pk = :pk';
    if (filter.since) {
      keyCondition += ' AND #sk >= :since';
      values[':since'] = keys.integrationLogSortKey(filter.since.toISOString(), '');
    } else {
      keyCondition += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = keys.integrationLogPrefix;
    }
    // The tenant check is redundant with the key (every partition starts with T#<tenant>) and kept as a guard.
    const filters = ['#ttl > :now', '#tenant = :tenant'];
    if (filter.type) {
      names['#type'] = 'type';
      values[':type'] = filter.type;
      filters.push('#type = :type');
    }
    if (filter.success !== undefined) {
      names['#success'] = 'success';
      values[':success'] = filter.success;
      filters.push('#success = :success');
    }
    if (filter.connectionId && partition.kind === 'booking') {
      names['#connection'] = 'connectionId';
      values[':connection'] = filter.connectionId;
      filters.push('#connection = :connection');
    }
    return {
      TableName: this.#tableName,
      ...(partition.kind === 'connection' ? { IndexName: INDEX.byParent.name } : {}),
      KeyConditionExpression: keyCondition,
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}

function startKeyOf(tenantId: string, partition: Partition, sk: string): Record<string, unknown> {
  if (partition.kind !== 'connection') return { [TABLE_PARTITION_KEY]: partition.pk, [TABLE_SORT_KEY]: sk };
  return { [TABLE_PARTITION_KEY]: keys.integrationLogPartition(tenantId), [TABLE_SORT_KEY]: sk, [INDEX.byParent.partitionKey]: partition.gsiPk, [INDEX.byParent.sortKey]: sk };
}
