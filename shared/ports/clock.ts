/** Time source, injected so tests can move time (retry schedules, TTLs, token expiry). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
