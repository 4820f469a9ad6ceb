import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { notFound } from '../domain/app-error.ts';
import { BookingType } from '../domain/booking-type.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import type { BookingTypePatch, BookingTypeStore } from '../ports/booking-type-store.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoBookingTypeStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

const BookingTypePatchSchema = z.partial(z.omit(BookingType, { tenantId: true, id: true, createdAt: true, version: true }));

/** Booking types under `T#<tenant>` / `BKT#<id>`: listed in id (creation) order; edits conditional on `version`. */
export class DynamoBookingTypeStore implements BookingTypeStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoBookingTypeStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async create(bookingType: BookingType): Promise<void> {
    const valid = validForWrite(BookingType, bookingType, 'booking-type');
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.bookingType(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'booking-type', ...valid },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      throw translateDynamoError(error, 'BookingTypeStore.create');
    }
  }

  async get(tenantId: string, bookingTypeId: string): Promise<BookingType | null> {
    const output = await dynamoCall('BookingTypeStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.bookingType(tenantId, bookingTypeId), ConsistentRead: true })),
    );
    return output.Item ? toBookingType(output.Item) : null;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<BookingType>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.bookingTypePrefix) } : undefined;
    const result = await queryPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.bookingTypePrefix },
        ConsistentRead: true,
      },
      limit,
      startKey,
      'BookingTypeStore.list',
    );
    const last = result.items.at(-1);
    return { items: result.items.map(toBookingType), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async update(tenantId: string, bookingTypeId: string, expectedVersion: number, patch: BookingTypePatch): Promise<BookingType> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(validPatch(BookingTypePatchSchema, patch, 'booking type patch'))) {
      if (value !== undefined) update.set(field, value);
    }
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.bookingType(tenantId, bookingTypeId)), ReturnValues: 'ALL_NEW' }));
      return toBookingType(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, bookingTypeId))) throw notFound('Booking type');
      throw translateDynamoError(error, 'BookingTypeStore.update');
    }
  }

  async delete(tenantId: string, bookingTypeId: string): Promise<boolean> {
    try {
      await this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.bookingType(tenantId, bookingTypeId), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'BookingTypeStore.delete');
    }
  }
}

function toBookingType(item: StoredItem): BookingType {
  return parseItem(BookingType, item, 'booking-type');
}
