import { spreadMs } from './backoff.ts';

/**
 * When the next attempt of a failed webhook delivery happens (reliability.md §1). The schedule lists the
 * waits after attempts 1, 2, … (default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all), each
 * jittered by ±10 % so that deliveries that failed together do not retry in lockstep. A receiver's
 * `Retry-After` (429, 503) is honoured as a minimum.
 */
export const JITTER_RATIO = 0.1;

/** Attempts in one round: the first plus one per scheduled wait. */
export function maxAttempts(scheduleMs: readonly number[]): number {
  return scheduleMs.length + 1;
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based, counted within its round), or null
 * when that was the last attempt.
 */
export function retryDelayMs(scheduleMs: readonly number[], attempt: number, retryAfterMs: number | null = null, random: () => number = Math.random): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const base = scheduleMs[attempt - 1];
  if (base === undefined) return null;
  return Math.max(spreadMs(base, JITTER_RATIO, random), retryAfterMs ?? 0);
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or malformed. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return null;
  return Math.max(0, date - now.getTime());
}
