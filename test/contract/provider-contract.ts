import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/domain/app-error.ts';
import type { EventDraft, ProviderEvent } from '../../shared/domain/calendar-event.ts';
import type { TimeRange } from '../../shared/domain/calendar.ts';
import { toIsoIntervals } from '../../shared/domain/busy-intervals.ts';
import { startOfDateUtcMs } from '../../shared/domain/time-zone.ts';
import type { CalendarProvider, ChangeRequest, ProviderCalendarRef } from '../../shared/ports/calendar-provider.ts';
import { describeEventWriteContract } from './event-write-contract.ts';
import { CalendarRecurrenceExpander } from '../../shared/recurrence/calendar-recurrence-expander.ts';
import { providerBusyColumns } from '../../shared/use-cases/availability/busy-parts.ts';

/** What a provider needs to offer the contract suite: the adapter under test and a way to act as the user. */
export interface ProviderContractHarness {
  provider: CalendarProvider;
  calendar: ProviderCalendarRef;
  window: TimeRange;
  /** Changes made at the provider as its user would (its UI, another client), not through our adapter. */
  user: {
    /** `free`: marked free / transparent / showAs free (it must never block). */
    createEvent(spec: { title: string; start: string; end: string; timeZone: string; free?: boolean }): Promise<string>;
    /** An invitation the account's owner declined (an attendee with the account's address, response declined). */
    createDeclinedEvent(spec: { title: string; start: string; end: string; timeZone: string }): Promise<string>;
    createAllDayEvent(spec: { title: string; startDate: string; endDate: string }): Promise<string>;
    /** A weekly series of `count` instances; returns the series id. */
    createWeeklySeries(spec: { title: string; start: string; end: string; timeZone: string; count: number }): Promise<string>;
    /** Cancels the instance of a series that originally starts at `originalStart` (ISO instant). */
    cancelInstance(seriesId: string, originalStart: string): Promise<void>;
    /** Moves the instance that originally starts at `originalStart` to [start, end) (ISO instants). */
    moveInstance(seriesId: string, originalStart: string, start: string, end: string): Promise<void>;
    renameEvent(providerEventId: string, title: string): Promise<void>;
    deleteEvent(providerEventId: string): Promise<void>;
  };
  /** A calendar reference the account has no calendar for. */
  missingCalendar: ProviderCalendarRef;
  /** Makes every cursor handed out so far invalid (Google 410, Graph 410, CalDAV 403). */
  expireCursors(): Promise<void>;
  /** For the event write suite: counting at the provider itself, and losing an answer after the write happened. */
  writes: {
    /** Events with this title as the provider holds them (not through the adapter where the provider lets us look). */
    countAtProvider(title: string): Promise<number>;
    /** The next create takes effect at the provider and its answer is lost (a 5xx or a dropped connection). */
    loseNextCreateAnswer(): void;
    /** How many answers were really lost so far (evidence that the fault happened). */
    lostAnswers(): number;
  };
  /** Graph lists a series as its occurrences (no master); the others list the master and its exceptions. */
  seriesShape: 'master' | 'occurrences';
  dispose(): Promise<void>;
}

export interface Round {
  upserts: Map<string, ProviderEvent>;
  deleted: Set<string>;
  cursor: string | null;
  pages: number;
}

/** Runs one round to its end, checking the paging invariants on the way. */
export async function collectRound(provider: CalendarProvider, request: Omit<ChangeRequest, 'pageToken'>): Promise<Round> {
  const round: Round = { upserts: new Map(), deleted: new Set(), cursor: null, pages: 0 };
  let pageToken: string | null = null;
  do {
    const page = await provider.listChanges({ ...request, pageToken });
    round.pages += 1;
    expect(page.nextPageToken === null || page.nextCursor === null, 'a page has a page token or a cursor, never both').toBe(true);
    expect(page.nextPageToken !== null || page.nextCursor !== null || provider.kind === 'caldav', 'a page ends with a page token or a cursor').toBe(true);
    for (const change of page.changes) {
      if (change.type === 'upsert') {
        round.upserts.set(change.event.providerEventId, change.event);
        round.deleted.delete(change.event.providerEventId);
      } else if (change.type === 'delete') {
        round.upserts.delete(change.providerEventId);
        round.deleted.add(change.providerEventId);
      } else if (change.type === 'replaceResource') {
        for (const [id, event] of round.upserts) if (event.resourceId === change.resourceId) round.upserts.delete(id);
        for (const event of change.events) round.upserts.set(event.providerEventId, event);
      } else {
        for (const [id, event] of round.upserts) if (event.resourceId === change.resourceId) round.upserts.delete(id);
        round.deleted.add(change.resourceId);
      }
    }
    pageToken = page.nextPageToken;
    round.cursor = page.nextCursor;
    expect(round.pages).toBeLessThan(1_000);
  } while (pageToken);
  return round;
}

function byTitle(round: Round, title: string): ProviderEvent[] {
  return [...round.upserts.values()].filter((event) => event.title === title);
}

function isDeleted(round: Round, providerEventId: string, resourceOf: (id: string) => string | null): boolean {
  return round.deleted.has(providerEventId) || (resourceOf(providerEventId) !== null && round.deleted.has(resourceOf(providerEventId)!));
}

const DAY = 86_400_000;

/** The CalendarProvider contract: every provider adapter passes these, against its simulator or server. */
export function describeProviderContract(name: string, makeHarness: () => Promise<ProviderContractHarness>): void {
  describe(`CalendarProvider contract: ${name}`, () => {
    let h: ProviderContractHarness;
    const base = Date.UTC(2026, 11, 7, 9); // Monday 2026-12-07 09:00 UTC, inside the window
    const iso = (ms: number) => new Date(ms).toISOString();
    const resources = new Map<string, string | null>();
    const resourceOf = (id: string) => resources.get(id) ?? null;
    const remember = (round: Round) => round.upserts.forEach((event) => resources.set(event.providerEventId, event.resourceId));
    const full = () => collectRound(h.provider, { calendar: h.calendar, cursor: null, window: h.window });
    const since = (cursor: string | null) => collectRound(h.provider, { calendar: h.calendar, cursor, window: h.window });

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => h?.dispose());

    it('lists the calendar as one that holds events', async () => {
      const calendars = await h.provider.listCalendars();
      const found = calendars.find((c) => c.providerCalendarId === h.calendar.providerCalendarId);
      expect(found).toBeDefined();
      expect(found!.supportsEvents).toBe(true);
      expect(typeof found!.name).toBe('string');
    });

    it('lists timed and all-day events on a full round, normalized', async () => {
      const timed = await h.user.createEvent({ title: 'contract timed', start: iso(base), end: iso(base + 3_600_000), timeZone: 'Europe/Berlin' });
      await h.user.createAllDayEvent({ title: 'contract all-day', startDate: '2026-12-10', endDate: '2026-12-12' });
      const round = await full();
      remember(round);
      expect(round.cursor).not.toBeNull();
      const [event] = byTitle(round, 'contract timed');
      expect(event?.providerEventId).toBe(timed);
      expect(event?.kind).toBe('single');
      expect(event?.start).toEqual({ dateTime: iso(base).replace('.000Z', 'Z'), timeZone: 'Europe/Berlin' });
      expect(event?.end).toMatchObject({ dateTime: iso(base + 3_600_000).replace('.000Z', 'Z') });
      expect(event?.status).toBe('confirmed');
      const [allDay] = byTitle(round, 'contract all-day');
      expect(allDay?.start).toEqual({ date: '2026-12-10' });
      expect(allDay?.end).toEqual({ date: '2026-12-12' });
    });

    it('returns nothing on an incremental round when nothing changed, then exactly the change', async () => {
      const first = await full();
      const quiet = await since(first.cursor);
      expect(quiet.upserts.size).toBe(0);
      expect(quiet.deleted.size).toBe(0);
      expect(quiet.cursor).not.toBeNull();

      const id = await h.user.createEvent({ title: 'contract rename me', start: iso(base + 2 * DAY), end: iso(base + 2 * DAY + 1_800_000), timeZone: 'UTC' });
      const afterCreate = await since(quiet.cursor);
      remember(afterCreate);
      expect(byTitle(afterCreate, 'contract rename me').map((e) => e.providerEventId)).toEqual([id]);

      await h.user.renameEvent(id, 'contract renamed');
      const afterRename = await since(afterCreate.cursor);
      expect(byTitle(afterRename, 'contract renamed').map((e) => e.providerEventId)).toEqual([id]);
      expect(byTitle(afterRename, 'contract timed')).toEqual([]);

      await h.user.deleteEvent(id);
      const afterDelete = await since(afterRename.cursor);
      expect(isDeleted(afterDelete, id, resourceOf)).toBe(true);
      expect(byTitle(afterDelete, 'contract renamed')).toEqual([]);
    });

    it('reports an expired cursor as provider.cursor_invalid', async () => {
      const round = await full();
      await h.expireCursors();
      const error = await since(round.cursor).catch((e: unknown) => e);
      expect(isAppError(error, 'provider.cursor_invalid')).toBe(true);
      const again = await full();
      expect(again.cursor).not.toBeNull();
    });

    it('lists a recurring series with its cancelled instance', async () => {
      const start = base + 14 * DAY;
      const seriesId = await h.user.createWeeklySeries({ title: 'contract weekly', start: iso(start), end: iso(start + 1_800_000), timeZone: 'America/New_York', count: 4 });
      await h.user.cancelInstance(seriesId, iso(start + 7 * DAY));
      const round = await full();
      const events = byTitle(round, 'contract weekly');
      if (h.seriesShape === 'master') {
        const master = events.find((e) => e.kind === 'master');
        expect(master?.recurrence?.some((line) => /^RRULE:/.test(line) && /FREQ=WEEKLY/.test(line))).toBe(true);
        expect(master?.start).toMatchObject({ timeZone: 'America/New_York' });
        const cancelled = [...round.upserts.values()].find((e) => e.recurringEventId === master?.providerEventId && e.status === 'cancelled');
        const cancelledByExdate = master?.recurrence?.some((line) => /^EXDATE/.test(line));
        expect(Boolean(cancelled) || Boolean(cancelledByExdate)).toBe(true);
        if (cancelled) expect(Date.parse((cancelled.originalStart as { dateTime: string }).dateTime)).toBe(start + 7 * DAY);
      } else {
        const starts = events.filter((e) => e.status !== 'cancelled').map((e) => Date.parse((e.start as { dateTime: string }).dateTime)).sort();
        expect(starts).toEqual([start, start + 14 * DAY, start + 21 * DAY]);
        expect(events.every((e) => e.recurringEventId !== null)).toBe(true);
      }
    });

    it('creates, reads, updates with an etag precondition and deletes idempotently', async () => {
      const draft: EventDraft = {
        title: 'contract via api',
        start: { dateTime: iso(base + 3 * DAY), timeZone: 'UTC' },
        end: { dateTime: iso(base + 3 * DAY + 3_600_000), timeZone: 'UTC' },
        attendees: [{ email: 'grace@example.com' }],
      };
      const created = await h.provider.createEvent(h.calendar, draft);
      expect(created.title).toBe('contract via api');
      expect(created.etag).toBeTruthy();
      const read = await h.provider.getEvent(h.calendar, created.providerEventId);
      expect(read?.title).toBe('contract via api');
      expect(read?.attendees.map((a) => a.email)).toContain('grace@example.com');

      const updated = await h.provider.updateEvent(h.calendar, created.providerEventId, { ...draft, title: 'contract via api 2' }, { etag: read!.etag });
      expect(updated.title).toBe('contract via api 2');
      expect(updated.etag).not.toBe(read!.etag);

      const stale = await h.provider.updateEvent(h.calendar, created.providerEventId, { ...draft, title: 'lost update' }, { etag: read!.etag }).catch((e: unknown) => e);
      expect(isAppError(stale, 'provider.precondition_failed')).toBe(true);

      await h.provider.deleteEvent(h.calendar, created.providerEventId);
      await h.provider.deleteEvent(h.calendar, created.providerEventId);
      expect(await h.provider.getEvent(h.calendar, created.providerEventId)).toBeNull();
    });

    it('answers busy time for a range years outside any sync window, by our busy rules, a year in one call', async () => {
      const HOUR = 3_600_000;
      const past = Date.UTC(2023, 5, 5, 9); // Monday 2023-06-05 09:00 UTC, three and a half years back
      await h.user.createEvent({ title: 'busy past', start: iso(past), end: iso(past + HOUR), timeZone: 'UTC' });
      await h.user.createEvent({ title: 'free past', start: iso(past + 2 * HOUR), end: iso(past + 3 * HOUR), timeZone: 'UTC', free: true });
      await h.user.createDeclinedEvent({ title: 'declined past', start: iso(past + 4 * HOUR), end: iso(past + 5 * HOUR), timeZone: 'UTC' });
      await h.user.createAllDayEvent({ title: 'all-day past', startDate: '2023-06-07', endDate: '2023-06-08' });
      // 11:00 in New York (EDT) on four Mondays: the second cancelled, the third moved an hour later.
      const weekly = past + 6 * HOUR;
      const seriesId = await h.user.createWeeklySeries({ title: 'weekly past', start: iso(weekly), end: iso(weekly + HOUR / 2), timeZone: 'America/New_York', count: 4 });
      await h.user.cancelInstance(seriesId, iso(weekly + 7 * DAY));
      await h.user.moveInstance(seriesId, iso(weekly + 14 * DAY), iso(weekly + 14 * DAY + HOUR), iso(weekly + 14 * DAY + 1.5 * HOUR));
      const future = Date.UTC(2028, 8, 12, 13); // 2028-09-12, almost two years ahead
      await h.user.createEvent({ title: 'busy future', start: iso(future), end: iso(future + 2 * HOUR), timeZone: 'Europe/Berlin' });

      const busyIn = async (range: { start: Date; end: Date }) => {
        const answer = await h.provider.queryBusy(h.calendar, range);
        const columns = await providerBusyColumns(new CalendarRecurrenceExpander(), answer, { tenantId: 't', connectionId: 'c', id: 'cal' }, range, h.calendar.timeZone);
        return toIsoIntervals(columns);
      };
      const allDayStart = startOfDateUtcMs('2023-06-07', h.calendar.timeZone);
      const allDayEnd = startOfDateUtcMs('2023-06-08', h.calendar.timeZone);
      // 366 days around the past events (Google answers free/busy for 90 days a request: the adapter splits).
      const year = { start: new Date(past - 100 * DAY), end: new Date(past + 266 * DAY) };
      expect(await busyIn(year)).toEqual(
        [
          [past, past + HOUR],
          [weekly, weekly + HOUR / 2],
          [allDayStart, allDayEnd],
          [weekly + 14 * DAY + HOUR, weekly + 14 * DAY + 1.5 * HOUR],
          [weekly + 21 * DAY, weekly + 21 * DAY + HOUR / 2],
        ].map(([s, e]) => ({ start: new Date(s!).toISOString(), end: new Date(e!).toISOString() })),
      );
      expect(await busyIn({ start: new Date(future - DAY), end: new Date(future + DAY) })).toEqual([{ start: new Date(future).toISOString(), end: new Date(future + 2 * HOUR).toISOString() }]);
      expect(await busyIn({ start: new Date(past + 30 * DAY), end: new Date(past + 60 * DAY) })).toEqual([]);
    });

    it('refuses busy time of a calendar it cannot read with a typed error, never an empty answer', async () => {
      const range = { start: new Date(Date.UTC(2023, 5, 1)), end: new Date(Date.UTC(2023, 6, 1)) };
      const error = await h.provider.queryBusy(h.missingCalendar, range).then(
        (answer) => answer,
        (e: unknown) => e,
      );
      expect(isAppError(error, 'provider.'), JSON.stringify(error)).toBe(true);
    });

    it('types every error it throws', async () => {
      const error = await h.provider.updateEvent(h.calendar, 'does-not-exist-anywhere', {
        title: 'x',
        start: { dateTime: iso(base), timeZone: 'UTC' },
        end: { dateTime: iso(base + 60_000), timeZone: 'UTC' },
      }).catch((e: unknown) => e);
      expect(isAppError(error, 'provider.')).toBe(true);
    });

    describeEventWriteContract(name, () => h);
  });
}
