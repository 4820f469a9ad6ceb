import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIdleAfterMs, takeToken, type BucketLimit } from '../../../shared/domain/token-bucket.ts';

const limit: BucketLimit = { capacity: 5, refillPerMinute: 60 }; // 5 at once, then one a second

/** Takes at the given times, threading the bucket's state; true for each token granted. */
function run(times: number[], bucket: BucketLimit = limit): boolean[] {
  let fullAt: number | null = null;
  return times.map((now) => {
    const decision = takeToken(fullAt, now, bucket);
    if (decision.allowed) fullAt = decision.fullAtMs;
    return decision.allowed;
  });
}

describe('the token bucket', () => {
  it('grants a full burst at once, then refuses, saying when the next token comes', () => {
    expect(run([0, 0, 0, 0, 0, 0, 0])).toEqual([true, true, true, true, true, false, false]);
    let fullAt: number | null = null;
    for (let i = 0; i < 5; i++) fullAt = (takeToken(fullAt, 0, limit) as { fullAtMs: number }).fullAtMs;
    expect(takeToken(fullAt, 0, limit)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(takeToken(fullAt, 400, limit)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(takeToken(fullAt, 1000, limit).allowed).toBe(true);
  });

  it('refills at its rate: after the burst, one token per interval', () => {
    const times = [...Array.from({ length: 5 }, () => 0), 500, 1000, 1500, 2000, 2000];
    expect(run(times)).toEqual([true, true, true, true, true, false, true, false, true, false]);
  });

  it('is full again after capacity × interval of quiet, never fuller', () => {
    const burst = Array.from({ length: 5 }, () => 0);
    const later = Array.from({ length: 6 }, () => bucketIdleAfterMs(0, limit) + 10_000);
    expect(run([...burst, ...later])).toEqual([...burst.map(() => true), true, true, true, true, true, false]);
  });

  it('never grants more than capacity + elapsed × rate, whatever the arrival pattern', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 600 }), fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 300 }), (capacity, refillPerMinute, offsets) => {
        const bucket = { capacity, refillPerMinute };
        const times = offsets.sort((a, b) => a - b);
        const granted = run(times, bucket).filter(Boolean).length;
        const elapsed = times.at(-1)! - times[0]!;
        expect(granted).toBeLessThanOrEqual(capacity + Math.floor((elapsed * refillPerMinute) / 60_000) + 1);
        // A quiet bucket grants its whole burst.
        expect(run(Array.from({ length: capacity }, () => 0), bucket).every(Boolean)).toBe(true);
      }),
    );
  });
});

describe('the token bucket under clock skew', () => {
  it('does not lock a client out when a bucket was written by a clock far ahead', () => {
    const now = 1_000_000;
    // Owing a day of tokens is impossible for a 5-token bucket: it was another clock; start full.
    expect(takeToken(now + 86_400_000, now, limit)).toEqual({ allowed: true, fullAtMs: now + 1000 });
    // Within what a bucket can owe, plus ordinary skew between instances, the state is trusted: an empty
    // bucket written by a clock 50 ms ahead is still empty.
    expect(takeToken(now + 5000, now, limit).allowed).toBe(false);
    expect(takeToken(now + 5050, now, limit)).toEqual({ allowed: false, retryAfterMs: 1050 });
  });
});
