import type { StoredBusyTime } from '../domain/busy-projection.ts';
import type { CalendarEvent } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';

/** What the sync engine needs to know of a stored event to decide whether a provider change is new. */
export interface StoredEventVersion {
  id: string;
  providerEventId: string;
  resourceId: string | null;
  recurringEventId: string | null;
  contentHash: string;
  etag: string | null;
}

export type { StoredBusyTime } from '../domain/busy-projection.ts';

/** One calendar and the range of it that `listBusyInRange` reads. */
export interface BusyRangeQuery {
  calendarId: string;
  range: TimeRange;
}

/**
 * The normalized copy of provider events, per calendar.
 *
 * @example
 *   const inRange = await events.listInRange(tenantId, [calendarId], { start, end });
 */
export interface EventStore {
  getMany(tenantId: string, calendarId: string, eventIds: readonly string[]): Promise<Map<string, CalendarEvent>>;
  /** Every stored event of a calendar, reduced to version facts (one paginated query). */
  listVersions(tenantId: string, calendarId: string): Promise<StoredEventVersion[]>;
  /** Every stored event of a calendar (tests, exports). */
  listAll(tenantId: string, calendarId: string): Promise<CalendarEvent[]>;
  /** Writes in batches of 25, retrying unprocessed items. */
  putMany(events: readonly CalendarEvent[]): Promise<void>;
  deleteMany(tenantId: string, calendarId: string, eventIds: readonly string[]): Promise<void>;
  deleteAllOfCalendar(tenantId: string, calendarId: string): Promise<void>;
  /**
   * Events that may overlap `range`: every single event, occurrence and exception overlapping it, every
   * occurrence and exception whose original start lies in it (moved out, it still replaces that instance),
   * and every series master of the calendars (the caller expands masters). All-day events are matched
   * generously (they have no instant of their own); callers filter exactly.
   */
  listInRange(tenantId: string, calendarIds: readonly string[], range: TimeRange): Promise<CalendarEvent[]>;
  /**
   * The busy-time projection of the same events `listInRange` finds, each calendar over its own range, in
   * the order asked: the read path of free/busy and availability. Its series events are read-only (a store
   * may share them between queries, frozen).
   */
  listBusyInRange(tenantId: string, queries: readonly BusyRangeQuery[]): Promise<StoredBusyTime[]>;
}
