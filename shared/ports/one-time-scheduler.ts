/**
 * Timers that fire once at a point in time with a payload (EventBridge Scheduler one-time schedules in AWS,
 * an in-process scheduler in the local stack and tests). Delivery is at least once and within about a
 * minute of `at`; whoever handles the payload re-checks that it is still due and dedupes.
 *
 * @example
 *   await timers.schedule('bkg_01H…-o0-r0', new Date('2027-03-01T08:50:00Z'), { tenantId, bookingId, … });
 *   await timers.cancel('bkg_01H…-o0-r0');
 */
export interface OneTimeScheduler<T = unknown> {
  /**
   * Creates the timer `id`, or moves an existing one to `at` with this payload (an upsert: repeating it is
   * harmless). Ids are 1-64 characters of letters, digits, `-`, `_` and `.`.
   */
  schedule(id: string, at: Date, payload: T): Promise<void>;
  /** Deletes the timer; an id that does not exist (fired already, never made) is not an error. */
  cancel(id: string): Promise<void>;
}

/** What a timer id may look like (EventBridge Scheduler's schedule name rule). */
export const TIMER_ID = /^[0-9a-zA-Z_.-]{1,64}$/;
