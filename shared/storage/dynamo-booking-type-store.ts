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

const PublicIdPointer = z.object({ tenantId: z.string(), bookingTypeId: z.string() });
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
    if (valid.publicId) await this.#putPublicId(valid.publicId, valid.tenantId, valid.id);
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

  async findByPublicId(publicId: string): Promise<BookingType | null> {
    const pointer = await dynamoCall('BookingTypeStore.findByPublicId', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.publicBookingType(publicId), ConsistentRead: true })),
    );
    const target = PublicIdPointer.safeParse(pointer.Item ?? {});
    if (!target.success) return null;
    const bookingType = await this.get(target.data.tenantId, target.data.bookingTypeId);
    // The pointer outlives a deleted booking type or a replaced public id: the type itself decides.
    return bookingType?.publicId === publicId ? bookingType : null;
  }

  /**
   * Written before the booking type (or patch) that names the public id: a pointer without its type is
   * harmless (findByPublicId checks the type), a type without its pointer would be an unreachable page.
   */
  async #putPublicId(publicId: string, tenantId: string, bookingTypeId: string): Promise<void> {
    await dynamoCall('BookingTypeStore.putPublicId', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.publicBookingType(publicId), [ENTITY_ATTRIBUTE]: 'booking-type-public-id', tenantId, bookingTypeId },
          // 128 random bits never collide; the condition makes sure a pointer is never re-aimed.
          ConditionExpression: 'attribute_not_exists(pk) OR (tenantId = :tenant AND bookingTypeId = :type)',
          ExpressionAttributeValues: { ':tenant': tenantId, ':type': bookingTypeId },
        }),
      ),
    );
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
    if (patch.publicId) await this.#putPublicId(patch.publicId, tenantId, bookingTypeId);
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
