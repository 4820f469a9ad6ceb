import { backoffDelayMs } from '../domain/backoff.ts';

export { backoffDelayMs, type BackoffPolicy } from '../domain/backoff.ts';

/** `backoffDelayMs` with positional arguments (kept for callers written before the one policy). */
export function backoffWithJitterMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return backoffDelayMs(attempt, { baseMs, capMs }, random);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
