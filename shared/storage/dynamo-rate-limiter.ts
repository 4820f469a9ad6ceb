import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bucketIdleAfterMs, latestFullAtMs, refillIntervalMs, takeToken, untrustedAfterMs, type BucketLimit } from '../domain/token-bucket.ts';
import type { RateDecision, RateLimiter } from '../ports/rate-limiter.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, toEpochSeconds } from './item-codec.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoRateLimiterOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/** Rounds of the two conditional writes before giving up (only a bucket expiring between them repeats). */
const MAX_ROUNDS = 3;

/**
 * Token buckets (domain/token-bucket.ts) as one item each, `RATE#<sha256(name)>`: the bucket's `fullAtMs`
 * moves by one conditional UpdateItem per request, so concurrent requests on any number of instances each
 * take exactly one token or are refused; nothing is read first. An idle bucket's item expires (TTL) once it
 * would be full anyway, so the table holds only buckets in use.
 */
export class DynamoRateLimiter implements RateLimiter {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRateLimiterOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async take(bucket: string, limit: BucketLimit, nowMs: number): Promise<RateDecision> {
    const key = keys.rateBucket(bucket);
    const interval = refillIntervalMs(limit);
    const expiresAt = toEpochSeconds(bucketIdleAfterMs(nowMs, limit)) + 60;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      // A full bucket (no item, or refilled by now): one token gone, full again one interval from now. A
      // bucket owing far more than it can was written by a clock far ahead of ours: reset, not trusted.
      if (
        await this.#update(key, 'SET fullAtMs = :next, #ttl = :ttl, #entity = :entity', 'attribute_not_exists(fullAtMs) OR fullAtMs <= :now OR fullAtMs > :ceiling', {
          ':next': nowMs + interval,
          ':now': nowMs,
          ':ceiling': untrustedAfterMs(nowMs, limit),
          ':ttl': expiresAt,
          ':entity': 'rate-bucket',
        })
      ) {
        return { allowed: true };
      }
      // A bucket in use with a token left: one more interval owed.
      if (await this.#update(key, 'SET fullAtMs = fullAtMs + :interval, #ttl = :ttl', 'fullAtMs > :now AND fullAtMs <= :latest', { ':interval': interval, ':now': nowMs, ':latest': latestFullAtMs(nowMs, limit), ':ttl': expiresAt })) {
        return { allowed: true };
      }
      const fullAtMs = await this.#fullAt(key);
      if (fullAtMs === null || fullAtMs <= nowMs || fullAtMs > untrustedAfterMs(nowMs, limit)) continue; // changed between the writes: again
      const decision = takeToken(fullAtMs, nowMs, limit);
      // Empty now (another request may have taken the last token between our write and this read).
      return decision.allowed ? { allowed: false, retryAfterMs: Math.ceil(interval) } : decision;
    }
    return { allowed: false, retryAfterMs: Math.ceil(interval) };
  }

  async #update(key: { pk: string; sk: string }, expression: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, ...(expression.includes('#entity') ? { '#entity': ENTITY_ATTRIBUTE } : {}) },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'RateLimiter.take');
    }
  }

  async #fullAt(key: { pk: string; sk: string }): Promise<number | null> {
    const output = await dynamoCall('RateLimiter.read', () => this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true })));
    const value = output.Item?.fullAtMs;
    return typeof value === 'number' ? value : null;
  }
}
