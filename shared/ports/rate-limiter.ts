import type { BucketLimit } from '../domain/token-bucket.ts';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Token buckets shared by every instance (DynamoDB in AWS and the local stack): one bucket per name
 * (`ip:<address>`, `type:<tenant>/<bookingTypeId>`), taken from atomically.
 */
export interface RateLimiter {
  take(bucket: string, limit: BucketLimit, nowMs: number): Promise<RateDecision>;
}
