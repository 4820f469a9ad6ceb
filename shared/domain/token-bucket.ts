/**
 * A token bucket (public booking abuse limits) kept as one number: the time at which the bucket is full
 * again (`fullAtMs`, the GCRA "theoretical arrival time"). With `capacity` tokens refilled at one per
 * `intervalMs`, the tokens left at `now` are `capacity - (fullAtMs - now) / intervalMs`; taking one moves
 * `fullAtMs` on by one interval. One number means one conditional write per request (no read-modify-write
 * race), which is how the DynamoDB adapter stores it.
 */
export interface BucketLimit {
  /** Tokens a full bucket holds: the burst allowed after a quiet period. */
  capacity: number;
  /** Tokens added per minute: the sustained rate. */
  refillPerMinute: number;
}

export type BucketDecision = { allowed: true; fullAtMs: number } | { allowed: false; retryAfterMs: number };

export function refillIntervalMs(limit: BucketLimit): number {
  return 60_000 / limit.refillPerMinute;
}

/**
 * Whether one token can be taken at `nowMs` from a bucket full again at `fullAtMs` (null: never used or
 * expired, i.e. full). Refused: after how long one token will be there.
 */
export function takeToken(fullAtMs: number | null, nowMs: number, limit: BucketLimit): BucketDecision {
  const interval = refillIntervalMs(limit);
  const trusted = fullAtMs !== null && fullAtMs <= untrustedAfterMs(nowMs, limit) ? fullAtMs : null;
  const from = trusted === null ? nowMs : Math.max(trusted, nowMs);
  const latest = latestFullAtMs(nowMs, limit);
  if (from <= latest) return { allowed: true, fullAtMs: from + interval };
  return { allowed: false, retryAfterMs: Math.ceil(from - latest) };
}

/**
 * The latest `fullAtMs` at which a token can still be taken: at most capacity - 1 intervals owed. A
 * microsecond of slack, so summed fractional intervals (60000 / 223 ms) never lose a token to rounding.
 */
export function latestFullAtMs(nowMs: number, limit: BucketLimit): number {
  return nowMs + (limit.capacity - 1) * refillIntervalMs(limit) + 0.001;
}

/**
 * Requests on other instances read their clocks a little earlier or later than ours: ordinary skew.
 * Beyond it, more owed than a bucket can ever owe was written by a clock far ahead of ours (or a test's
 * clock): the bucket starts full again rather than lock its client out for that long.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

export function untrustedAfterMs(nowMs: number, limit: BucketLimit): number {
  return bucketIdleAfterMs(nowMs, limit) + CLOCK_SKEW_TOLERANCE_MS;
}

/** When an unused bucket is full again at the latest: its item can expire then (TTL). */
export function bucketIdleAfterMs(nowMs: number, limit: BucketLimit): number {
  return nowMs + limit.capacity * refillIntervalMs(limit);
}
