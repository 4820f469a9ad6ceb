import type { Clock } from '../../shared/ports/clock.ts';

/**
 * The local stack's time: real time plus an offset that only grows. `POST /local/clock` moves it ahead, so
 * a reminder an hour away can be seen firing now (the handlers and the in-process timers read this clock;
 * the provider simulators and queue timings keep real time).
 */
export class LocalClock implements Clock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Moves the clock `ms` ahead (never back: timers that fired stay fired). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the local clock only moves ahead');
    this.#offsetMs += ms;
  }
}
