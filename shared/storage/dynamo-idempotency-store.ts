import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/app-error.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { IdempotencyStore } from '../ports/idempotency-store.ts';
import type { IdempotentBegin, IdempotentRequestStore, StoredResponse } from '../ports/idempotent-request-store.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, toEpochSeconds } from './item-codec.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoIdempotencyStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
}

/** Keys become part of a partition key (at most 2048 bytes with the tenant prefix). */
const MAX_KEY_LENGTH = 1024;

/** Request records live beside the claims under their own prefix, so the two uses never meet. */
const requestKey = (key: string): string => `REQ#${key}`;

/**
 * Claims as conditional puts with the table TTL. A claim whose TTL has passed counts as free even before
 * DynamoDB deletes it (TTL deletion lags by up to days). Idempotent request records are the same kind of
 * item with a state (`pending` under a lease, then `completed` with the response) and a fingerprint.
 */
export class DynamoIdempotencyStore implements IdempotencyStore, IdempotentRequestStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoIdempotencyStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async claim(tenantId: string, key: string, ttlSeconds: number, now: Date = this.#clock.now()): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new AppError('internal.unexpected', `Idempotency key must be 1-${MAX_KEY_LENGTH} characters`, { retryable: false });
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new AppError('internal.unexpected', 'Idempotency TTL must be a positive whole number of seconds', { retryable: false });
    const nowSeconds = toEpochSeconds(now);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.idempotency(tenantId, key),
            [ENTITY_ATTRIBUTE]: 'idempotency',
            tenantId,
            key,
            claimedAt: now.toISOString(),
            [TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'IdempotencyStore.claim');
    }
  }

  async release(tenantId: string, key: string): Promise<void> {
    await dynamoCall('IdempotencyStore.release', () => this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.idempotency(tenantId, key) })));
  }

  async begin(tenantId: string, key: string, fingerprint: string, options: { leaseSeconds: number; ttlSeconds: number }): Promise<IdempotentBegin> {
    const now = this.#clock.now();
    const nowSeconds = toEpochSeconds(now);
    const itemKey = keys.idempotency(tenantId, requestKey(key));
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...itemKey,
            [ENTITY_ATTRIBUTE]: 'idempotent-request',
            tenantId,
            key,
            fingerprint,
            state: 'pending',
            lockedUntil: nowSeconds + options.leaseSeconds,
            claimedAt: now.toISOString(),
            [TTL_ATTRIBUTE]: nowSeconds + options.ttlSeconds,
          },
          // Free, expired, or pending for the same request under a lease that ran out (its owner died).
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now OR (#state = :pending AND lockedUntil <= :now AND fingerprint = :fingerprint)',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#state': 'state' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':pending': 'pending', ':fingerprint': fingerprint },
        }),
      );
      return { state: 'started' };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'IdempotentRequestStore.begin');
    }
    const { Item: item } = await dynamoCall('IdempotentRequestStore.begin', () => this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: itemKey, ConsistentRead: true })));
    if (!item) return { state: 'in_progress' }; // released between the two calls: the caller may repeat
    if (item.fingerprint !== fingerprint) return { state: 'mismatch' };
    if (item.state === 'completed' && typeof item.response === 'string') return { state: 'completed', response: JSON.parse(item.response) as StoredResponse };
    return { state: 'in_progress' };
  }

  async complete(tenantId: string, key: string, fingerprint: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    const now = this.#clock.now();
    await dynamoCall('IdempotentRequestStore.complete', () =>
      this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.idempotency(tenantId, requestKey(key)),
            [ENTITY_ATTRIBUTE]: 'idempotent-request',
            tenantId,
            key,
            fingerprint,
            state: 'completed',
            completedAt: now.toISOString(),
            response: JSON.stringify(response),
            [TTL_ATTRIBUTE]: toEpochSeconds(now) + ttlSeconds,
          },
        }),
      ),
    );
  }

  async abandon(tenantId: string, key: string, fingerprint: string): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: keys.idempotency(tenantId, requestKey(key)),
          // Only our own pending record: never a completed one, never another request's.
          ConditionExpression: '#state = :pending AND fingerprint = :fingerprint',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending', ':fingerprint': fingerprint },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'IdempotentRequestStore.abandon');
    }
  }
}
