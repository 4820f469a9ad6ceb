import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { notFound } from '../domain/app-error.ts';
import { NOTIFICATION_CHANNELS, NotificationRecord, type NotificationChannelName } from '../domain/notification.ts';
import type { NotificationListRequest, NotificationLog, NotificationOptOutStore, NotificationRecordPatch, UnsubscribeTarget } from '../ports/notification-log.ts';
import type { Page } from '../ports/page.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite, type StoredItem } from './item-codec.ts';
import { queryFilteredPage } from './dynamo-query.ts';
import { keys } from './keys.ts';
import { decodePageCursor, validatePageLimit } from './page-cursor.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoNotificationLogOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** The delivery log is kept 90 days, like the integration log. */
export const NOTIFICATION_RETENTION_SECONDS = 90 * 86_400;

/** Notifications under `T#<tenant>#NTFS` / `NTF#<id>` (ids sort by time); opt-outs and unsubscribe tokens beside. */
export class DynamoNotificationLog implements NotificationLog, NotificationOptOutStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoNotificationLogOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async begin(record: NotificationRecord): Promise<NotificationRecord | null> {
    const valid = validForWrite(NotificationRecord, record, 'notification');
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.notification(valid.tenantId, valid.id),
            [ENTITY_ATTRIBUTE]: 'notification',
            ...valid,
            [TTL_ATTRIBUTE]: toEpochSeconds(new Date(valid.createdAt)) + NOTIFICATION_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'NotificationLog.begin');
    }
    const existing = await this.get(valid.tenantId, valid.id);
    if (!existing) throw translateDynamoError(new Error('notification vanished after a conditional failure'), 'NotificationLog.begin');
    return existing;
  }

  async get(tenantId: string, notificationId: string): Promise<NotificationRecord | null> {
    const output = await dynamoCall('NotificationLog.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.notification(tenantId, notificationId), ConsistentRead: true })),
    );
    return output.Item ? toRecord(output.Item as StoredItem) : null;
  }

  async update(tenantId: string, notificationId: string, patch: NotificationRecordPatch): Promise<NotificationRecord> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(patch)) if (value !== undefined) update.set(field, value);
    update.conditionExists();
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.notification(tenantId, notificationId)), ReturnValues: 'ALL_NEW' }));
      return toRecord(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw notFound('Notification');
      throw translateDynamoError(error, 'NotificationLog.update');
    }
  }

  async list(tenantId: string, request: NotificationListRequest): Promise<Page<NotificationRecord>> {
    const limit = validatePageLimit(request.limit);
    const pk = keys.notificationPartition(tenantId);
    const startKey = request.cursor ? { pk, sk: decodePageCursor(request.cursor, keys.notificationPrefix) } : undefined;
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk, ':prefix': keys.notificationPrefix };
    if (request.bookingId) {
      filters.push('#bookingId = :bookingId');
      names['#bookingId'] = 'bookingId';
      values[':bookingId'] = request.bookingId;
    }
    if (request.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = request.status;
    }
    const filtered = filters.length > 0;
    const { items, cursor } = await queryFilteredPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ...(filtered ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ConsistentRead: true,
      },
      'NotificationLog.list',
      { limit, startKey, filteredReadSize: filtered ? 200 : null, sortKeyAttribute: 'sk' },
    );
    return { items: items.map(toRecord), cursor };
  }

  async isOptedOut(tenantId: string, channel: NotificationChannelName, recipient: string): Promise<boolean> {
    const output = await dynamoCall('NotificationOptOutStore.isOptedOut', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.notificationOptOut(tenantId, channel, recipient), ConsistentRead: true })),
    );
    return output.Item !== undefined;
  }

  async optOut(tenantId: string, channel: NotificationChannelName, recipient: string, source: 'link' | 'provider', at: Date): Promise<void> {
    // The address itself is not stored: the key holds its hash, which is all a later check needs.
    await dynamoCall('NotificationOptOutStore.optOut', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.notificationOptOut(tenantId, channel, recipient), [ENTITY_ATTRIBUTE]: 'notification-opt-out', tenantId, channel, source, at: at.toISOString() },
        }),
      ),
    );
  }

  async saveUnsubscribeToken(token: string, target: UnsubscribeTarget, expiresAt: Date): Promise<void> {
    await dynamoCall('NotificationOptOutStore.saveUnsubscribeToken', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.unsubscribeToken(token), [ENTITY_ATTRIBUTE]: 'unsubscribe-token', ...target, [TTL_ATTRIBUTE]: toEpochSeconds(expiresAt) },
        }),
      ),
    );
  }

  async findUnsubscribeToken(token: string, now: Date): Promise<UnsubscribeTarget | null> {
    const output = await dynamoCall('NotificationOptOutStore.findUnsubscribeToken', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.unsubscribeToken(token), ConsistentRead: true })),
    );
    const item = output.Item as StoredItem | undefined;
    if (!item || Number(item[TTL_ATTRIBUTE]) <= toEpochSeconds(now)) return null;
    return parseItem(UnsubscribeTargetSchema, item, 'unsubscribe-token');
  }
}

const UnsubscribeTargetSchema = z.object({ tenantId: z.string(), channel: z.enum(NOTIFICATION_CHANNELS), recipient: z.string() });

function toRecord(item: StoredItem): NotificationRecord {
  return parseItem(NotificationRecord, item, 'notification');
}
