import type { CalendarEvent } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';

/** One concrete occurrence of an event in a range, after series expansion and exceptions. */
export interface Occurrence {
  /** The stored event this occurrence comes from (a master, a single, an exception or an occurrence). */
  event: CalendarEvent;
  /** Start and end of this occurrence as instants (all-day resolved in the given zone). */
  startMs: number;
  endMs: number;
  /** For all-day occurrences, the date (yyyy-mm-dd) and end date (exclusive); null for timed ones. */
  startDate: string | null;
  endDate: string | null;
  /** Original start of the instance within its series (ms), or null for single events. */
  originalStartMs: number | null;
}

/**
 * Expands stored events into the occurrences that overlap a range: masters by their rules (RRULE, RDATE,
 * EXDATE), with exceptions replacing or cancelling instances, occurrences and singles as they are.
 * Cancelled instances are dropped. All-day dates resolve in `allDayZone` per calendar.
 *
 * @example
 *   await expander.prepare(stored);
 *   const busy = expander.expand(await events.listInRange(t, ids, range), range, (calendarId) => zones.get(calendarId) ?? null);
 */
export interface RecurrenceExpander {
  /**
   * Loads what expanding these events needs: the general rule engine is fetched only when a series has a
   * rule the fast path does not cover. Call it before `expand` (which stays synchronous for speed).
   */
  prepare(events: readonly CalendarEvent[]): Promise<void>;
  expand(events: readonly CalendarEvent[], range: TimeRange, zoneOf: (calendarId: string) => string | null): Occurrence[];
}
