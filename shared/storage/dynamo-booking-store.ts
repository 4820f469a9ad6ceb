import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BookingAttempt } from '../domain/booking-attempt.ts';
import { Booking } from '../domain/booking.ts';
import type { BookingFilter, BookingStore } from '../ports/booking-store.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import { dynamoCall, isConditionalCheckFailed, storageConflict, translateDynamoError } from './dynamo-errors.ts';
import { queryAll, queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';

/** Two days: the Idempotency-Key's replay window (24 h) with margin. */
const ATTEMPT_KEEP_S = 2 * 86_400;

export interface DynamoBookingStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Bookings under `T#<tenant>` / `BKG#<id>` (ids are ULIDs: creation order). A booking is written whole and
 * conditionally (create: not there yet; replace: same version), so two writers never interleave.
 */
export class DynamoBookingStore implements BookingStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoBookingStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async create(booking: Booking): Promise<boolean> {
    const valid = validForWrite(Booking, booking, 'booking');
    try {
      await this.#doc.send(
        new PutCommand({ TableName: this.#tableName, Item: this.#item(valid), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'BookingStore.create');
    }
  }

  async get(tenantId: string, bookingId: string): Promise<Booking | null> {
    const output = await dynamoCall('BookingStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.booking(tenantId, bookingId), ConsistentRead: true })),
    );
    return output.Item ? parseItem(Booking, output.Item, 'booking') : null;
  }

  async list(tenantId: string, filter: BookingFilter, page: PageRequest): Promise<Page<Booking>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.bookingPrefix) } : undefined;
    const { expression, names, values } = filterExpression(filter);
    const result = await queryPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        // DynamoDB refuses an empty ExpressionAttributeNames: only when a filter names one.
        ...(expression ? { FilterExpression: expression } : {}),
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.bookingPrefix, ...values },
        ConsistentRead: true,
      },
      limit,
      startKey,
      'BookingStore.list',
    );
    const last = result.items.at(-1);
    return { items: result.items.map((item) => parseItem(Booking, item, 'booking')), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async replace(booking: Booking, expectedVersion: number): Promise<Booking> {
    const valid = validForWrite(Booking, { ...booking, version: expectedVersion + 1 }, 'booking');
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: this.#item(valid),
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return valid;
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw storageConflict('BookingStore.replace', error);
      throw translateDynamoError(error, 'BookingStore.replace');
    }
  }

  async linkEvent(tenantId: string, eventId: string, bookingId: string): Promise<void> {
    await dynamoCall('BookingStore.linkEvent', () =>
      this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: { ...keys.bookingOfEvent(tenantId, eventId), [ENTITY_ATTRIBUTE]: 'booking-event-link', tenantId, eventId, bookingId } })),
    );
  }

  async bookingIdOfEvent(tenantId: string, eventId: string): Promise<string | null> {
    const output = await dynamoCall('BookingStore.bookingIdOfEvent', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.bookingOfEvent(tenantId, eventId), ConsistentRead: true })),
    );
    return typeof output.Item?.bookingId === 'string' ? output.Item.bookingId : null;
  }

  async hostStats(tenantId: string, bookingTypeId: string, sinceIso: string): Promise<Map<number, { count: number; lastBookedAtMs: number }>> {
    const items = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'bookingTypeId = :type AND #status = :confirmed AND createdAt >= :since',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': keys.tenantPartition(tenantId), ':prefix': keys.bookingPrefix, ':type': bookingTypeId, ':confirmed': 'confirmed', ':since': sinceIso },
        ProjectionExpression: 'hostIndex, createdAt',
      },
      'BookingStore.hostStats',
    );
    const stats = new Map<number, { count: number; lastBookedAtMs: number }>();
    for (const item of items as StoredItem[]) {
      const host = Number(item.hostIndex);
      const at = Date.parse(String(item.createdAt));
      const current = stats.get(host) ?? { count: 0, lastBookedAtMs: 0 };
      stats.set(host, { count: current.count + 1, lastBookedAtMs: Math.max(current.lastBookedAtMs, at) });
    }
    return stats;
  }

  async saveAttempt(attempt: BookingAttempt): Promise<void> {
    const valid = validForWrite(BookingAttempt, attempt, 'booking attempt');
    await dynamoCall('BookingStore.saveAttempt', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          // Kept while a retry with the same Idempotency-Key may still come (its replay window) and a day more.
          Item: { ...keys.bookingAttempt(valid.tenantId, valid.bookingId), [ENTITY_ATTRIBUTE]: 'booking-attempt', ...valid, [TTL_ATTRIBUTE]: Math.ceil(valid.leaseUntilMs / 1000) + ATTEMPT_KEEP_S },
        }),
      ),
    );
  }

  async getAttempt(tenantId: string, bookingId: string): Promise<BookingAttempt | null> {
    const output = await dynamoCall('BookingStore.getAttempt', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.bookingAttempt(tenantId, bookingId), ConsistentRead: true })),
    );
    return output.Item ? parseItem(BookingAttempt, output.Item, 'booking-attempt') : null;
  }

  #item(booking: Booking): StoredItem {
    return { ...keys.booking(booking.tenantId, booking.id), [ENTITY_ATTRIBUTE]: 'booking', ...booking };
  }
}

function filterExpression(filter: BookingFilter): { expression: string | null; names: Record<string, string>; values: Record<string, unknown> } {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.status) {
    parts.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = filter.status;
  }
  if (filter.bookingTypeId) {
    parts.push('bookingTypeId = :bookingTypeId');
    values[':bookingTypeId'] = filter.bookingTypeId;
  }
  if (filter.start) {
    parts.push('#end > :rangeStart');
    names['#end'] = 'end';
    values[':rangeStart'] = filter.start;
  }
  if (filter.end) {
    parts.push('#start < :rangeEnd');
    names['#start'] = 'start';
    values[':rangeEnd'] = filter.end;
  }
  return { expression: parts.length ? parts.join(' AND ') : null, names, values };
}
