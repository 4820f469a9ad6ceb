import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { BookingMeetingRecord, VideoConnection, VideoCredentials } from '../domain/video-connection.ts';
import type { AssociatedData, CredentialCipher } from '../ports/credential-cipher.ts';
import type { BookingMeetingStore, VideoConnectionStore } from '../ports/video-connection-store.ts';
import { dynamoCall, isConditionalCheckFailed, storageConflict } from './dynamo-errors.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import { queryAll, queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite } from './item-codec.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoVideoConnectionStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
}

const tenantPk = (tenantId: string) => `T#${tenantId}`;
/** The associated data that binds a video connection's sealed credentials to it (also used by key rotation). */
export function videoCredentialsAad(tenantId: string, connectionId: string): AssociatedData {
  return { tenantId, connectionId, provider: 'zoom' };
}

const connectionKey = (tenantId: string, id: string) => ({ pk: tenantPk(tenantId), sk: `VCON#${id}` });
const usagePrefix = (id: string) => `VUSE#${id}#`;
const usageKey = (tenantId: string, id: string, userId: string, day: string) => ({ pk: tenantPk(tenantId), sk: `${usagePrefix(id)}${userId}#${day}` });
const CONNECTION_PREFIX = 'VCON#';
const meetingKey = (tenantId: string, bookingId: string) => ({ pk: tenantPk(tenantId), sk: `VMTG#${bookingId}` });
/** Tenant-free lookup by Zoom meeting id (Zoom webhooks carry only that); it only finds, it never authorises. */
const zoomMeetingKey = (meetingId: string) => ({ pk: `ZMTG#${meetingId}`, sk: 'ZMTG' });

const SealedFields = z.object({ sealed: SealedSecretSchema, credentialsVersion: z.int().check(z.gte(1)) });
const SEALED_ATTRIBUTES = ['sealed', 'credentialsVersion'];
const ZoomMeetingIndex = z.object({ tenantId: z.string(), bookingId: z.string() });
/** Usage counters outlive their day by a little, then DynamoDB's TTL removes them. */
const USAGE_KEEP_SECONDS = 3 * 86_400;

/**
 * Zoom connections (`T#<tenant>` / `VCON#<id>`, credentials sealed in the same item under
 * `{tenantId, connectionId, provider: zoom}`, with their own version), daily usage counters
 * (`VUSE#<id>#<user>#<day>`, TTL) and booking meetings (`VMTG#<bookingId>` plus `ZMTG#<meetingId>`).
 */
export class DynamoVideoConnectionStore implements VideoConnectionStore, BookingMeetingStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cipher: CredentialCipher;

  constructor(options: DynamoVideoConnectionStoreOptions) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#cipher = options.cipher;
  }

  #aad(tenantId: string, connectionId: string): AssociatedData {
    return videoCredentialsAad(tenantId, connectionId);
  }

  async get(tenantId: string, connectionId: string): Promise<VideoConnection | null> {
    const output = await dynamoCall('VideoConnectionStore.get', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: connectionKey(tenantId, connectionId), ConsistentRead: true })));
    return output.Item ? parseItem(VideoConnection, output.Item, 'video-connection', SEALED_ATTRIBUTES) : null;
  }

  async listAll(tenantId: string): Promise<VideoConnection[]> {
    const items = await queryAll(this.#doc, { TableName: this.#table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'VCON#' } }, 'VideoConnectionStore.listAll');
    return items.map((item) => parseItem(VideoConnection, item, 'video-connection', SEALED_ATTRIBUTES));
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<VideoConnection>> {
    const limit = validatePageLimit(page.limit);
    const pk = tenantPk(tenantId);
    // Only the sort key comes from the cursor; the partition is always the caller's.
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, CONNECTION_PREFIX) } : undefined;
    const result = await queryPage(
      this.#doc,
      { TableName: this.#table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': CONNECTION_PREFIX }, ConsistentRead: true },
      limit,
      startKey,
      'VideoConnectionStore.list',
    );
    const last = result.items.at(-1);
    return { items: result.items.map((item) => parseItem(VideoConnection, item, 'video-connection', SEALED_ATTRIBUTES)), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async delete(tenantId: string, connectionId: string): Promise<boolean> {
    const output = await dynamoCall('VideoConnectionStore.delete', () => this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: connectionKey(tenantId, connectionId), ReturnValues: 'ALL_OLD' })));
    return output.Attributes !== undefined;
  }

  async save(connection: VideoConnection, credentials: VideoCredentials): Promise<VideoConnection> {
    const valid = validForWrite(VideoConnection, connection, 'video connection');
    const sealed = await this.#cipher.seal(JSON.stringify(validForWrite(VideoCredentials, credentials, 'video credentials')), this.#aad(valid.tenantId, valid.id));
    await dynamoCall('VideoConnectionStore.save', () =>
      this.#doc.send(new PutCommand({ TableName: this.#table, Item: { ...connectionKey(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'video-connection', ...valid, sealed, credentialsVersion: 1 } })),
    );
    return valid;
  }

  async getCredentials(tenantId: string, connectionId: string): Promise<{ credentials: VideoCredentials; version: number } | null> {
    const output = await dynamoCall('VideoConnectionStore.getCredentials', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: connectionKey(tenantId, connectionId), ConsistentRead: true })));
    if (!output.Item) return null;
    const fields = SealedFields.parse({ sealed: output.Item.sealed, credentialsVersion: output.Item.credentialsVersion });
    const plaintext = await this.#cipher.open(fields.sealed, this.#aad(tenantId, connectionId));
    return { credentials: VideoCredentials.parse(JSON.parse(plaintext)), version: fields.credentialsVersion };
  }

  async putCredentials(tenantId: string, connectionId: string, credentials: VideoCredentials, expectedVersion: number): Promise<void> {
    const sealed = await this.#cipher.seal(JSON.stringify(validForWrite(VideoCredentials, credentials, 'video credentials')), this.#aad(tenantId, connectionId));
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: connectionKey(tenantId, connectionId),
          UpdateExpression: 'SET sealed = :sealed, credentialsVersion = :next',
          ConditionExpression: 'credentialsVersion = :expected',
          ExpressionAttributeValues: { ':sealed': sealed, ':next': expectedVersion + 1, ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw storageConflict('Zoom credentials were changed by another writer');
      throw error;
    }
  }

  async usage(tenantId: string, connectionId: string, zoomUserId: string, day: string): Promise<number> {
    const output = await dynamoCall('VideoConnectionStore.usage', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: usageKey(tenantId, connectionId, zoomUserId, day), ConsistentRead: true })));
    return typeof output.Item?.count === 'number' ? output.Item.count : 0;
  }

  async usageByUser(tenantId: string, connectionId: string, day: string): Promise<Map<string, number>> {
    const prefix = usagePrefix(connectionId);
    const suffix = `#${day}`;
    // The counters of one connection: a few days (TTL) of each Zoom user it hosted for; today's are kept.
    const items = await queryAll(
      this.#doc,
      { TableName: this.#table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': prefix }, ConsistentRead: true },
      'VideoConnectionStore.usageByUser',
    );
    const usage = new Map<string, number>();
    for (const item of items) {
      const sk = String(item.sk);
      // The user id sits between the prefix and the day (it may itself hold `#`: an email is allowed).
      if (!sk.endsWith(suffix) || sk.length <= prefix.length + suffix.length || typeof item.count !== 'number') continue;
      usage.set(sk.slice(prefix.length, -suffix.length), item.count);
    }
    return usage;
  }

  async recordUsage(tenantId: string, connectionId: string, zoomUserId: string, day: string, change: { by: number } | { atLeast: number }): Promise<number> {
    const ttl = toEpochSeconds(Date.parse(`${day}T00:00:00Z`)) + USAGE_KEEP_SECONDS;
    const key = usageKey(tenantId, connectionId, zoomUserId, day);
    if ('by' in change) {
      const output = await dynamoCall('VideoConnectionStore.recordUsage', () =>
        this.#doc.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: 'ADD #count :by SET #entity = :entity, #ttl = :ttl',
            ExpressionAttributeNames: { '#count': 'count', '#entity': ENTITY_ATTRIBUTE, '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':by': change.by, ':entity': 'video-usage', ':ttl': ttl },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return Number(output.Attributes?.count ?? 0);
    }
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET #count = :n, #entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :n',
          ExpressionAttributeNames: { '#count': 'count', '#entity': ENTITY_ATTRIBUTE, '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':n': change.atLeast, ':entity': 'video-usage', ':ttl': ttl },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    return this.usage(tenantId, connectionId, zoomUserId, day);
  }

  async getMeeting(tenantId: string, bookingId: string): Promise<BookingMeetingRecord | null> {
    const output = await dynamoCall('BookingMeetingStore.get', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: meetingKey(tenantId, bookingId), ConsistentRead: true })));
    return output.Item ? parseItem(BookingMeetingRecord, output.Item, 'booking-meeting') : null;
  }

  async putMeeting(record: BookingMeetingRecord): Promise<void> {
    const valid = validForWrite(BookingMeetingRecord, record, 'booking meeting');
    await dynamoCall('BookingMeetingStore.put', () =>
      this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.#table, Item: { ...meetingKey(valid.tenantId, valid.bookingId), [ENTITY_ATTRIBUTE]: 'booking-meeting', ...valid } } },
            { Put: { TableName: this.#table, Item: { ...zoomMeetingKey(valid.meetingId), [ENTITY_ATTRIBUTE]: 'booking-meeting', tenantId: valid.tenantId, bookingId: valid.bookingId } } },
          ],
        }),
      ),
    );
  }

  async deleteMeeting(tenantId: string, bookingId: string): Promise<void> {
    const existing = await this.getMeeting(tenantId, bookingId);
    if (!existing) return;
    await dynamoCall('BookingMeetingStore.delete', () => this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: meetingKey(tenantId, bookingId) })));
    await dynamoCall('BookingMeetingStore.delete', () => this.#doc.send(new DeleteCommand({ TableName: this.#table, Key: zoomMeetingKey(existing.meetingId) })));
  }

  async findByZoomMeeting(meetingId: string): Promise<BookingMeetingRecord | null> {
    const output = await dynamoCall('BookingMeetingStore.findByZoomMeeting', () => this.#doc.send(new GetCommand({ TableName: this.#table, Key: zoomMeetingKey(meetingId), ConsistentRead: true })));
    if (!output.Item) return null;
    const index = ZoomMeetingIndex.parse({ tenantId: output.Item.tenantId, bookingId: output.Item.bookingId });
    const record = await this.getMeeting(index.tenantId, index.bookingId);
    return record?.meetingId === meetingId ? record : null;
  }
}
