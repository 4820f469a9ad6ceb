import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { notFound } from '../domain/app-error.ts';
import { NotificationChannel } from '../domain/notification-channel.ts';
import type { AssociatedData, CredentialCipher, SealedSecret } from '../ports/credential-cipher.ts';
import type { NotificationChannelPatch, NotificationChannelStore } from '../ports/notification-channel-store.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { queryAll, queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoNotificationChannelStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
}

const SECRET_ATTRIBUTES = ['sealedSecret'] as const;

/** The KMS grant requires tenant and provider in the encryption context, as for every other sealed secret. */
export function notificationChannelAad(tenantId: string, channelId: string): AssociatedData {
  return { tenantId, channelId, provider: 'notification-channel' };
}

/** Channels under `T#<tenant>` / `NTC#<id>`, the Slack hook URL sealed in the same item. */
export class DynamoNotificationChannelStore implements NotificationChannelStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cipher: CredentialCipher;

  constructor(options: DynamoNotificationChannelStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#cipher = options.cipher;
  }

  async create(channel: NotificationChannel, secret: string | null): Promise<void> {
    const valid = validForWrite(NotificationChannel, channel, 'notification channel');
    const sealedSecret = secret === null ? null : await this.#cipher.seal(secret, notificationChannelAad(valid.tenantId, valid.id));
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.notificationChannel(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'notification-channel', ...valid, sealedSecret },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      throw translateDynamoError(error, 'NotificationChannelStore.create');
    }
  }

  async get(tenantId: string, channelId: string): Promise<NotificationChannel | null> {
    const item = await this.#item(tenantId, channelId);
    return item ? toChannel(item) : null;
  }

  async getWithSecret(tenantId: string, channelId: string): Promise<{ channel: NotificationChannel; secret: string | null } | null> {
    const item = await this.#item(tenantId, channelId);
    if (!item) return null;
    const sealed = z.nullable(SealedSecretSchema).parse(item.sealedSecret ?? null) as SealedSecret | null;
    const secret = sealed ? await this.#cipher.open(sealed, notificationChannelAad(tenantId, channelId)) : null;
    return { channel: toChannel(item), secret };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<NotificationChannel>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.notificationChannelPrefix) } : undefined;
    const result = await queryPage(this.#doc, this.#query(pk), limit, startKey, 'NotificationChannelStore.list');
    const last = result.items.at(-1);
    return { items: result.items.map(toChannel), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async listAll(tenantId: string): Promise<NotificationChannel[]> {
    return (await queryAll(this.#doc, this.#query(keys.tenantPartition(tenantId)), 'NotificationChannelStore.listAll')).map(toChannel);
  }

  async update(tenantId: string, channelId: string, expectedVersion: number, patch: NotificationChannelPatch, secret?: string | null): Promise<NotificationChannel> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(patch)) if (value !== undefined) update.set(field, value);
    if (secret !== undefined) update.set('sealedSecret', secret === null ? null : await this.#cipher.seal(secret, notificationChannelAad(tenantId, channelId)));
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.notificationChannel(tenantId, channelId)), ReturnValues: 'ALL_NEW' }));
      return toChannel(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, channelId))) throw notFound('Notification channel');
      throw translateDynamoError(error, 'NotificationChannelStore.update');
    }
  }

  async markBroken(tenantId: string, channelId: string, reason: string, at: Date): Promise<void> {
    const update = new UpdateBuilder();
    update.set('status', 'broken');
    update.set('brokenReason', reason);
    update.set('updatedAt', at.toISOString());
    update.conditionExists();
    try {
      await this.#doc.send(new UpdateCommand(update.build(this.#tableName, keys.notificationChannel(tenantId, channelId))));
    } catch (error) {
      if (isConditionalCheckFailed(error)) return; // deleted meanwhile: nothing to mark
      throw translateDynamoError(error, 'NotificationChannelStore.markBroken');
    }
  }

  async delete(tenantId: string, channelId: string): Promise<boolean> {
    try {
      await this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.notificationChannel(tenantId, channelId), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'NotificationChannelStore.delete');
    }
  }

  #query(pk: string) {
    return {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.notificationChannelPrefix },
      ConsistentRead: true,
    };
  }

  async #item(tenantId: string, channelId: string): Promise<StoredItem | null> {
    const output = await dynamoCall('NotificationChannelStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.notificationChannel(tenantId, channelId), ConsistentRead: true })),
    );
    return (output.Item as StoredItem | undefined) ?? null;
  }
}

function toChannel(item: StoredItem): NotificationChannel {
  return parseItem(NotificationChannel, item, 'notification-channel', SECRET_ATTRIBUTES);
}
