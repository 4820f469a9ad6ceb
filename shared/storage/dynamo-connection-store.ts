import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { AppError, notFound } from '../domain/app-error.ts';
import { Connection, Credentials, ProviderKind } from '../domain/connection.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { ConnectionPatch, ConnectionStore, StoredCredentials } from '../ports/connection-store.ts';
import type { AssociatedData, CredentialCipher } from '../ports/credential-cipher.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import { dynamoCall, isConditionalCheckFailed, isTransactionConditionFailed, storageConflict, translateDynamoError } from './dynamo-errors.ts';
import { queryPage } from './dynamo-query.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { UpdateBuilder } from './update-builder.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';

export interface DynamoConnectionStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
  clock?: Clock;
}

const CredentialsItem = z.object({
  tenantId: z.string(),
  connectionId: z.string(),
  provider: ProviderKind,
  sealed: SealedSecretSchema,
  version: z.int().check(z.gte(1)),
});

const ConnectionPatchSchema = z.partial(
  z.pick(Connection, {
    status: true,
    consecutiveErrors: true,
    lastError: true,
    lastSyncedAt: true,
    accountEmail: true,
    displayName: true,
    serverUrl: true,
    updatedAt: true,
  }),
);

/**
 * Connections (`T#<tenant>` / `CONN#<id>`) and, in a separate item (`CRED#<id>`), their credentials sealed
 * with the cipher under `{tenantId, connectionId, provider}`. Both items carry their own version: status
 * changes and token refreshes are conditional writes that never overwrite each other.
 */
export class DynamoConnectionStore implements ConnectionStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cipher: CredentialCipher;
  readonly #clock: Clock;

  constructor(options: DynamoConnectionStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#cipher = options.cipher;
    this.#clock = options.clock ?? systemClock;
  }

  async get(tenantId: string, connectionId: string): Promise<Connection | null> {
    const output = await dynamoCall('ConnectionStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.connection(tenantId, connectionId), ConsistentRead: true })),
    );
    return output.Item ? parseItem(Connection, output.Item, 'connection') : null;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Connection>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    // Only the sort key comes from the cursor; the partition is always the caller's.
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.connectionPrefix) } : undefined;
    const result = await queryPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.connectionPrefix },
        ConsistentRead: true,
      },
      limit,
      startKey,
      'ConnectionStore.list',
    );
    const last = result.items.at(-1);
    return {
      items: result.items.map((item) => parseItem(Connection, item, 'connection')),
      cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null,
    };
  }

  async save(connection: Connection, credentials: Credentials): Promise<Connection> {
    const valid = validForWrite(Connection, connection, 'connection');
    const sealed = await this.#cipher.seal(JSON.stringify(validForWrite(Credentials, credentials, 'credentials')), credentialsAad(valid.tenantId, valid.id, valid.provider));
    await dynamoCall('ConnectionStore.save', () =>
      this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.#tableName, Item: { ...keys.connection(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'connection', ...valid } } },
            {
              // An update, not a put: a reconnect continues the credentials version, so a refresh that
              // read the previous grant's credentials cannot overwrite the new ones.
              Update: {
                TableName: this.#tableName,
                Key: keys.credentials(valid.tenantId, valid.id),
                UpdateExpression:
                  'SET #entity = :entity, tenantId = :tenantId, connectionId = :connectionId, provider = :provider, sealed = :sealed, updatedAt = :now, version = if_not_exists(version, :zero) + :one',
                ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE },
                ExpressionAttributeValues: {
                  ':entity': 'credentials',
                  ':tenantId': valid.tenantId,
                  ':connectionId': valid.id,
                  ':provider': valid.provider,
                  ':sealed': sealed,
                  ':now': this.#clock.now().toISOString(),
                  ':zero': 0,
                  ':one': 1,
                },
              },
            },
          ],
        }),
      ),
    );
    return valid;
  }

  async update(tenantId: string, connectionId: string, expectedVersion: number, patch: ConnectionPatch): Promise<Connection> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(validPatch(ConnectionPatchSchema, patch, 'connection patch'))) {
      if (value !== undefined) update.set(field, value);
    }
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(
        new UpdateCommand({ ...update.build(this.#tableName, keys.connection(tenantId, connectionId)), ReturnValues: 'ALL_NEW' }),
      );
      return parseItem(Connection, output.Attributes ?? {}, 'connection');
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, connectionId))) throw notFound('Connection');
      throw translateDynamoError(error, 'ConnectionStore.update');
    }
  }

  async delete(tenantId: string, connectionId: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.#tableName, Key: keys.connection(tenantId, connectionId), ConditionExpression: 'attribute_exists(pk)' } },
            { Delete: { TableName: this.#tableName, Key: keys.credentials(tenantId, connectionId) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (!isTransactionConditionFailed(error)) throw translateDynamoError(error, 'ConnectionStore.delete');
    }
    // No connection: still make sure no orphaned credentials survive it.
    await dynamoCall('ConnectionStore.delete', () =>
      this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.credentials(tenantId, connectionId) })),
    );
    return false;
  }

  async getCredentials(tenantId: string, connectionId: string): Promise<StoredCredentials | null> {
    const item = await this.#getCredentialsItem(tenantId, connectionId, 'ConnectionStore.getCredentials');
    if (!item) return null;
    const plaintext = await this.#cipher.open(item.sealed, credentialsAad(tenantId, connectionId, item.provider));
    return { credentials: parseCredentials(plaintext), version: item.version };
  }

  async putCredentials(tenantId: string, connectionId: string, credentials: Credentials, expectedVersion: number): Promise<StoredCredentials> {
    const current = await this.#getCredentialsItem(tenantId, connectionId, 'ConnectionStore.putCredentials');
    if (!current) throw notFound('Connection credentials');
    if (current.version !== expectedVersion) throw storageConflict('ConnectionStore.putCredentials');
    const valid = validForWrite(Credentials, credentials, 'credentials');
    const sealed = await this.#cipher.seal(JSON.stringify(valid), credentialsAad(tenantId, connectionId, current.provider));
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.credentials(tenantId, connectionId),
          UpdateExpression: 'SET sealed = :sealed, updatedAt = :now, version = :next',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: {
            ':sealed': sealed,
            ':now': this.#clock.now().toISOString(),
            ':next': expectedVersion + 1,
            ':expected': expectedVersion,
          },
        }),
      );
    } catch (error) {
      throw translateDynamoError(error, 'ConnectionStore.putCredentials');
    }
    return { credentials: valid, version: expectedVersion + 1 };
  }

  async acquireRefreshLock(tenantId: string, connectionId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.credentials(tenantId, connectionId),
          UpdateExpression: 'SET refreshLockOwner = :owner, refreshLockUntil = :until',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(refreshLockUntil) OR refreshLockUntil < :now OR refreshLockOwner = :owner)',
          ExpressionAttributeValues: { ':owner': owner, ':until': until.toISOString(), ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'ConnectionStore.acquireRefreshLock');
    }
  }

  async releaseRefreshLock(tenantId: string, connectionId: string, owner: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.credentials(tenantId, connectionId),
          UpdateExpression: 'REMOVE refreshLockOwner, refreshLockUntil',
          ConditionExpression: 'refreshLockOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return; // expired and taken over, or already released
      throw translateDynamoError(error, 'ConnectionStore.releaseRefreshLock');
    }
  }

  async #getCredentialsItem(tenantId: string, connectionId: string, operation: string): Promise<z.infer<typeof CredentialsItem> | null> {
    const output = await dynamoCall(operation, () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.credentials(tenantId, connectionId), ConsistentRead: true })),
    );
    return output.Item ? parseItem(CredentialsItem, output.Item as StoredItem, 'credentials', ['refreshLockOwner', 'refreshLockUntil']) : null;
  }
}

/** The associated data that binds sealed credentials to their connection. */
export function credentialsAad(tenantId: string, connectionId: string, provider: string): AssociatedData {
  return { tenantId, connectionId, provider };
}

function parseCredentials(plaintext: string): Credentials {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    json = undefined;
  }
  const result = Credentials.safeParse(json);
  // Never echo the plaintext or zod's view of it: it is a token.
  if (!result.success) throw new AppError('internal.unexpected', 'Stored credentials have an unexpected shape', { retryable: false });
  return result.data;
}
