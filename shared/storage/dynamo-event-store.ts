import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { CalendarEvent } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import type { BusyRangeQuery, EventStore, StoredBusyTime, StoredEventVersion } from '../ports/event-store.ts';
import { batchGetAll, batchWriteAll, type BatchRetryOptions, type WriteRequest } from './dynamo-batch.ts';
import { busyIndexBackfillCompleted } from './dynamo-busy-index-backfill-store.ts';
import { DecodedEventCache } from './decoded-event-cache.ts';
import { mapWithConcurrency, queryAll } from './dynamo-query.ts';
import { projectBusyItems } from './event-busy-projection.ts';
import { EVENT_INDEX_ATTRIBUTES, MAX_INDEXED_EVENT_MS, eventItem } from './event-item.ts';
import { parseItem, validForWrite, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { INDEX } from './table-schema.ts';

export interface DynamoEventStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Backoff of batch retries (tests shorten it). */
  batchRetry?: BatchRetryOptions;
  /** Decoded series parts kept for `listBusyInRange` across queries (0 turns it off); default 5,000 (~10 MB). */
  decodedSeriesCacheSize?: number;
  /**
   * Whether `listBusyInRange` reads singles from gsi4 (`busyByStart`): `auto` (default) once the busy-index
   * backfill has completed (its progress item, re-read at most every `busyIndexRecheckMs`), `on`/`off` to
   * force either path (benchmarks, tests).
   */
  busyIndex?: 'auto' | 'on' | 'off';
  /** How long a process trusts its last look at the backfill's progress; default 5 minutes. */
  busyIndexRecheckMs?: number;
}

/** Calendars queried at once by `listInRange`: a person's calendars in parallel, without a read storm. */
const CALENDAR_CONCURRENCY = 4;
const DEFAULT_DECODED_SERIES_CACHE_SIZE = 5_000;
const DEFAULT_BUSY_INDEX_RECHECK_MS = 5 * 60_000;

const StoredEventVersionSchema = z.object({
  id: z.string(),
  providerEventId: z.string(),
  resourceId: z.nullable(z.string()),
  recurringEventId: z.nullable(z.string()),
  contentHash: z.string(),
  etag: z.nullable(z.string()),
});

/**
 * Events under `T#<tenant>#CAL#<calendar>` / `EV#<id>`; gsi1 orders a calendar's events by UTC start
 * (singles `S#<start>#<id>`, series parts `R#<start>#<id>`), with series masters and events longer than 14
 * days under `X#<id>`, so a range query is two bounded key ranges plus the (few) unbounded items. gsi4 holds
 * the bounded singles that make the owner busy, with only their busy fields: busy time reads them from there
 * (≈ 180 bytes an event instead of the whole item, so 2,000 events are one query page, not three).
 *
 * Items written before gsi4 and `R#` existed are on neither: until the busy-index backfill
 * (`backfillBusyIndex`) has walked the table, busy time reads the singles from gsi1 as before. Every write
 * since this code is deployed carries both, so the backfill's completion is the one switch; it is safe as long
 * as the backfill is started after every writer runs this code (a deploy completes before the job runs).
 */
export class DynamoEventStore implements EventStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #batchRetry: BatchRetryOptions;
  readonly #decodedSeries: DecodedEventCache;
  readonly #busyIndex: 'auto' | 'on' | 'off';
  readonly #busyIndexRecheckMs: number;
  #busyIndexChecked: { atMs: number; ready: Promise<boolean> } | null = null;

  constructor(options: DynamoEventStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#batchRetry = options.batchRetry ?? {};
    this.#decodedSeries = new DecodedEventCache(options.decodedSeriesCacheSize ?? DEFAULT_DECODED_SERIES_CACHE_SIZE);
    this.#busyIndex = options.busyIndex ?? 'auto';
    this.#busyIndexRecheckMs = options.busyIndexRecheckMs ?? DEFAULT_BUSY_INDEX_RECHECK_MS;
  }

  async getMany(tenantId: string, calendarId: string, eventIds: readonly string[]): Promise<Map<string, CalendarEvent>> {
    const itemKeys = [...new Set(eventIds)].map((id) => ({ ...keys.event(tenantId, calendarId, id) }));
    const items = await batchGetAll(this.#doc, this.#tableName, itemKeys, 'EventStore.getMany', this.#batchRetry);
    const events = new Map<string, CalendarEvent>();
    for (const item of items) {
      const event = toEvent(item);
      events.set(event.id, event);
    }
    return events;
  }

  async listVersions(tenantId: string, calendarId: string): Promise<StoredEventVersion[]> {
    const items = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.eventPartition(tenantId, calendarId), ':prefix': keys.eventPrefix },
        ExpressionAttributeNames: { '#id': 'id' },
        ProjectionExpression: '#id, providerEventId, resourceId, recurringEventId, contentHash, etag',
        ConsistentRead: true,
      },
      'EventStore.listVersions',
    );
    return items.map((item) => parseItem(StoredEventVersionSchema, item, 'event'));
  }

  async listAll(tenantId: string, calendarId: string): Promise<CalendarEvent[]> {
    const items = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.eventPartition(tenantId, calendarId), ':prefix': keys.eventPrefix },
        ConsistentRead: true,
      },
      'EventStore.listAll',
    );
    return items.map(toEvent);
  }

  async putMany(events: readonly CalendarEvent[]): Promise<void> {
    // One request may not name a key twice; the last version of an event wins, as it would in sequence.
    const byKey = new Map<string, WriteRequest>();
    for (const event of events) {
      const item = eventItem(validForWrite(CalendarEvent, event, 'event'));
      byKey.set(`${String(item.pk)}\u0000${String(item.sk)}`, { PutRequest: { Item: item } });
    }
    await batchWriteAll(this.#doc, this.#tableName, [...byKey.values()], 'EventStore.putMany', this.#batchRetry);
  }

  async deleteMany(tenantId: string, calendarId: string, eventIds: readonly string[]): Promise<void> {
    const requests = [...new Set(eventIds)].map((id): WriteRequest => ({ DeleteRequest: { Key: { ...keys.event(tenantId, calendarId, id) } } }));
    await batchWriteAll(this.#doc, this.#tableName, requests, 'EventStore.deleteMany', this.#batchRetry);
  }

  async deleteAllOfCalendar(tenantId: string, calendarId: string): Promise<void> {
    const itemKeys = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.eventPartition(tenantId, calendarId), ':prefix': keys.eventPrefix },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      },
      'EventStore.deleteAllOfCalendar',
    );
    const requests = itemKeys.map((key): WriteRequest => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    await batchWriteAll(this.#doc, this.#tableName, requests, 'EventStore.deleteAllOfCalendar', this.#batchRetry);
  }

  async listInRange(tenantId: string, calendarIds: readonly string[], range: TimeRange): Promise<CalendarEvent[]> {
    const perCalendar = await mapWithConcurrency([...new Set(calendarIds)], CALENDAR_CONCURRENCY, async (calendarId) =>
      (await this.#itemsInRange(tenantId, calendarId, range, 'EventStore.listInRange')).map(toEvent),
    );
    return perCalendar.flat();
  }

  /**
   * Singles become numbers straight from the items (`projectBusyItems`); series parts are decoded, through a
   * cache of this process (`DecodedEventCache`: an item is decoded again whenever its content hash, etag,
   * `updated` or connection changed; the sync writes the content hash of exactly the content it stores).
   * The series events returned are frozen: they may be shared with other queries.
   */
  async listBusyInRange(tenantId: string, queries: readonly BusyRangeQuery[]): Promise<StoredBusyTime[]> {
    const decode = (item: StoredItem): CalendarEvent => this.#decodedSeries.decode(item, toEvent);
    const operation = 'EventStore.listBusyInRange';
    const fromBusyIndex = await this.#busyIndexReady();
    return mapWithConcurrency(queries, CALENDAR_CONCURRENCY, async ({ calendarId, range }) => {
      if (!fromBusyIndex) return projectBusyItems(await this.#itemsInRange(tenantId, calendarId, range, operation, 'all'), calendarId, range, decode);
      const [busySingles, others] = await Promise.all([
        this.#boundedInRange(INDEX.busyByStart, keys.busyEventsByTime(tenantId, calendarId), 'S#', range, operation),
        this.#itemsInRange(tenantId, calendarId, range, operation, 'series-and-unbounded'),
      ]);
      return projectBusyItems(others, calendarId, range, decode, busySingles);
    });
  }

  /** Whether busy time may read singles from gsi4: forced by the options, or the backfill's progress says it completed. */
  async #busyIndexReady(): Promise<boolean> {
    if (this.#busyIndex !== 'auto') return this.#busyIndex === 'on';
    const nowMs = Date.now();
    const checked = this.#busyIndexChecked;
    if (checked && nowMs - checked.atMs < this.#busyIndexRecheckMs) return checked.ready;
    const ready = busyIndexBackfillCompleted(this.#doc, this.#tableName);
    this.#busyIndexChecked = { atMs: nowMs, ready };
    // A failed look is not remembered: the next query asks again (and this one fails loudly).
    ready.catch(() => {
      if (this.#busyIndexChecked?.ready === ready) this.#busyIndexChecked = null;
    });
    return ready;
  }

  /**
   * The items of one calendar that may overlap `range`: bounded singles (`all` only) and series parts in start
   * order, then masters and long events.
   */
  async #itemsInRange(tenantId: string, calendarId: string, range: TimeRange, operation: string, parts: 'all' | 'series-and-unbounded' = 'all'): Promise<StoredItem[]> {
    const startIso = range.start.toISOString();
    const endIso = range.end.toISOString();
    const names = { '#pk': INDEX.byParent.partitionKey, '#sk': INDEX.byParent.sortKey };
    const pk = keys.eventsByTime(tenantId, calendarId);
    const [singles, seriesParts, unbounded] = await Promise.all([
      parts === 'all' ? this.#boundedInRange(INDEX.byParent, pk, 'S#', range, operation) : Promise.resolve([]),
      this.#boundedInRange(INDEX.byParent, pk, 'R#', range, operation),
      queryAll(
        this.#doc,
        {
          TableName: this.#tableName,
          IndexName: INDEX.byParent.name,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :unbounded)',
          // Masters have no span and are always returned (the caller expands them); long events only when they overlap.
          FilterExpression: 'attribute_not_exists(endUtc) OR (endUtc > :start AND startUtc < :end)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':pk': pk, ':unbounded': 'X#', ':start': startIso, ':end': endIso },
        },
        operation,
      ),
    ]);
    return [singles, seriesParts, unbounded].filter((items) => items.length > 0).flat();
  }

  /** Items of one index partition whose sort key `<prefix><start>#<id>` says they may overlap `range`. */
  #boundedInRange(index: { name: string; partitionKey: string; sortKey: string }, pk: string, prefix: string, range: TimeRange, operation: string): Promise<StoredItem[]> {
    // A bounded event that overlaps the range cannot have started more than its maximum length before it.
    const earliestStartIso = new Date(range.start.getTime() - MAX_INDEXED_EVENT_MS).toISOString();
    return queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        FilterExpression: 'endUtc > :start',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': pk, ':from': `${prefix}${earliestStartIso}`, ':to': `${prefix}${range.end.toISOString()}`, ':start': range.start.toISOString() },
      },
      operation,
    );
  }
}

function toEvent(item: StoredItem): CalendarEvent {
  return parseItem(CalendarEvent, item, 'event', EVENT_INDEX_ATTRIBUTES);
}
