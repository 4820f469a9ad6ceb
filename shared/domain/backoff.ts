/**
 * The one backoff rule of the product, for every retry in process and on the queues: exponential from
 * `baseMs`, capped at `capMs`, with "equal jitter" — the wait for attempt n (0-based) is uniform in
 * [step/2, step] where step = min(cap, base·2ⁿ). Half the step is kept so a retry never comes at once, the
 * other half is random so clients that failed together do not retry in lockstep.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * A planned wait (a retry schedule's step) spread by ±`ratio` so that retries planned together do not
 * happen together; the same jitter idea for schedules that are lists rather than exponentials.
 */
export function spreadMs(ms: number, ratio: number, random: () => number = Math.random): number {
  return Math.round(ms * (1 - ratio + 2 * ratio * random()));
}
