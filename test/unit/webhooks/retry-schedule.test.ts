import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/runtime/config.ts';
import { maxAttempts, parseRetryAfter, retryDelayMs } from '../../../shared/domain/webhook-retry-schedule.ts';

describe('the webhook retry schedule', () => {
  it('by default waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts over about 27.6 hours (the real arithmetic)', () => {
    const scheduleMs = loadConfig({}).WEBHOOK_RETRY_SCHEDULE.map((s) => s * 1000);

    const waits = Array.from({ length: 8 }, (_, i) => retryDelayMs(scheduleMs, i + 1, null, () => 0.5));

    expect(maxAttempts(scheduleMs)).toBe(8);
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
    const total = waits.reduce<number>((sum, wait) => sum + (wait ?? 0), 0);
    expect(total / 3_600_000).toBeCloseTo(27.58, 2);
  });

  it('jitters within ±10 %, across the whole range', () => {
    const scheduleMs = [36_000_000];
    const samples = Array.from({ length: 1_000 }, (_, i) => retryDelayMs(scheduleMs, 1, null, () => i / 999)!);

    expect(Math.min(...samples)).toBe(32_400_000);
    expect(Math.max(...samples)).toBe(39_600_000);
    expect(new Set(samples).size).toBeGreaterThan(900);
  });

  it('takes a Retry-After as a minimum, never as a maximum', () => {
    expect(retryDelayMs([5_000], 1, 120_000, () => 0.5)).toBe(120_000);
    expect(retryDelayMs([300_000], 1, 120_000, () => 0.5)).toBe(300_000);
  });

  it('accepts fractional compressed schedules (tests) and refuses attempt numbers below 1', () => {
    expect(retryDelayMs([200, 400], 2, null, () => 0.5)).toBe(400);
    expect(() => retryDelayMs([200], 0)).toThrow();
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0.2,0.4' }).WEBHOOK_RETRY_SCHEDULE).toEqual([0.2, 0.4]);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('1e3', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
