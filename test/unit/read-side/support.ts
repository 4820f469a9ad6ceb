import type { CalendarEvent, ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar, TimeRange } from '../../../shared/domain/calendar.ts';
import { eventIntervalUtc, eventTimeToUtcMs } from '../../../shared/domain/event-time.ts';
import type { CalendarStore } from '../../../shared/ports/calendar-store.ts';
import type { EventStore } from '../../../shared/ports/event-store.ts';
import { providerEvent, storedFrom } from '../../support/events.ts';

/** A stored event of `calendar`; a timed confirmed opaque single unless overridden. */
export function storedEvent(calendar: Pick<Calendar, 'tenantId' | 'id' | 'connectionId'>, id: string, overrides: Partial<ProviderEvent> = {}): CalendarEvent {
  const provider = providerEvent(`p-${id}`, {
    iCalUID: `${id}@example`,
    title: `Event ${id}`,
    start: { dateTime: '2026-11-02T09:00:00.000Z', timeZone: 'UTC' },
    end: { dateTime: '2026-11-02T10:00:00.000Z', timeZone: 'UTC' },
    ...overrides,
  });
  return storedFrom(provider, { tenantId: calendar.tenantId, connectionId: calendar.connectionId, calendarId: calendar.id, id });
}

export function timed(startIso: string, endIso: string, timeZone: string | null = null): Pick<ProviderEvent, 'start' | 'end'> {
  return { start: { dateTime: startIso, timeZone }, end: { dateTime: endIso, timeZone } };
}

export function allDay(startDate: string, endDate: string): Pick<ProviderEvent, 'start' | 'end'> {
  return { start: { date: startDate }, end: { date: endDate } };
}

const ALL_DAY_SLACK_MS = 14 * 3_600_000;

interface Entry {
  event: CalendarEvent;
  startMs: number;
  endMs: number;
}

/**
 * EventStore semantics the read side relies on, in memory: `listInRange` returns every master of the
 * calendars and every other event that may overlap, by its own span or its original start (all-day dates
 * matched with 14 h of slack, as the real store matches them generously). Spans are computed once on write, so reads cost what a store read should.
 */
export class InMemoryEventStore implements Pick<EventStore, 'listInRange' | 'putMany' | 'listAll' | 'deleteAllOfCalendar'> {
  readonly #byCalendar = new Map<string, Map<string, Entry>>();
  /** Per calendar in the real store's answer order: bounded events by start, then masters. */
  readonly #ordered = new Map<string, Entry[]>();

  #inIndexOrder(key: string): Entry[] {
    let ordered = this.#ordered.get(key);
    if (!ordered) {
      const entries = [...(this.#byCalendar.get(key)?.values() ?? [])];
      const bounded = entries.filter((entry) => entry.event.kind !== 'master').sort((a, b) => a.startMs - b.startMs || (a.event.id < b.event.id ? -1 : 1));
      ordered = [...bounded, ...entries.filter((entry) => entry.event.kind === 'master')];
      this.#ordered.set(key, ordered);
    }
    return ordered;
  }

  async putMany(events: readonly CalendarEvent[]): Promise<void> {
    for (const event of events) {
      const key = `${event.tenantId}\u0000${event.calendarId}`;
      let calendar = this.#byCalendar.get(key);
      if (!calendar) this.#byCalendar.set(key, (calendar = new Map()));
      let { startMs, endMs } = eventIntervalUtc(event, null);
      if (event.originalStart) {
        // Found by its original start too (an instance moved out of a range still replaces its original).
        const originalMs = eventTimeToUtcMs(event.originalStart, null);
        startMs = Math.min(startMs, originalMs);
        endMs = Math.max(endMs, originalMs + 1);
      }
      calendar.set(event.id, { event, startMs, endMs });
      this.#ordered.delete(key);
    }
  }

  async listAll(tenantId: string, calendarId: string): Promise<CalendarEvent[]> {
    return [...(this.#byCalendar.get(`${tenantId}\u0000${calendarId}`)?.values() ?? [])].map((entry) => entry.event);
  }

  async deleteAllOfCalendar(tenantId: string, calendarId: string): Promise<void> {
    this.#byCalendar.delete(`${tenantId}\u0000${calendarId}`);
    this.#ordered.delete(`${tenantId}\u0000${calendarId}`);
  }

  async listInRange(tenantId: string, calendarIds: readonly string[], range: TimeRange): Promise<CalendarEvent[]> {
    const from = range.start.getTime() - ALL_DAY_SLACK_MS;
    const to = range.end.getTime() + ALL_DAY_SLACK_MS;
    const out: CalendarEvent[] = [];
    for (const calendarId of new Set(calendarIds)) {
      for (const entry of this.#inIndexOrder(`${tenantId}\u0000${calendarId}`)) {
        if (entry.event.kind === 'master' || (entry.startMs < to && entry.endMs >= from)) out.push(entry.event);
      }
    }
    return out;
  }
}

/** Calendars by tenant and id (the reads of the read side). */
export class InMemoryCalendars implements Pick<CalendarStore, 'get'> {
  readonly #calendars = new Map<string, Calendar>();

  constructor(calendars: readonly Calendar[] = []) {
    for (const calendar of calendars) this.put(calendar);
  }

  put(calendar: Calendar): void {
    this.#calendars.set(`${calendar.tenantId}\u0000${calendar.id}`, calendar);
  }

  async get(tenantId: string, calendarId: string): Promise<Calendar | null> {
    return this.#calendars.get(`${tenantId}\u0000${calendarId}`) ?? null;
  }
}
