import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Calendar } from '../../shared/domain/calendar.ts';
import type { SyncJob } from '../../shared/domain/sync-job.ts';
import type { QueueMessage } from '../../shared/ports/job-queue.ts';
import { calendarStore, connectionStore, eventStore } from '../../shared/runtime/deps/storage.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { freePort } from '../../infra/local/net.ts';
import { syncedCalendar, testCalendar, testConnection } from '../support/stores.ts';
import { allDay, storedEvent, timed } from '../unit/read-side/support.ts';
import { json } from '../support/json-response.ts';

let stack: TestStack;
let otherToken: string;
let previousGoogleApiUrl: string | undefined;

const NY = 'America/New_York';
const RANGE = 'start=2026-11-02T00:00:00Z&end=2026-11-09T00:00:00Z';

interface Problem {
  status: number;
  code: string;
  errors: { field: string; message: string }[];
}
interface EventPage {
  items: { id: string; occurrenceId?: string; title: string | null; start: { dateTime?: string; date?: string } }[];
  nextCursor: string | null;
}
interface FreeBusyBody {
  busy: { start: string; end: string }[];
  complete: boolean;
  calendars: Record<string, { busy: { start: string; end: string }[]; coverage: { source: string }[]; error: { code: string } | null }>;
}

let primary: Calendar;
let side: Calendar;
let theirs: Calendar;

beforeAll(async () => {
  // Free/busy asks Google live outside the mirrored window: here Google is a closed local port (it refuses).
  previousGoogleApiUrl = process.env.GOOGLE_API_URL;
  process.env.GOOGLE_API_URL = `http://127.0.0.1:${await freePort()}`;
  stack = await startTestStack();
  otherToken = await stack.tokenFor('other-tenant');
  const mine = testConnection(stack.devTenantId);
  const other = testConnection('other-tenant');
  const credentials = { kind: 'oauth' as const, accessToken: 'at', refreshToken: 'rt', expiresAt: Date.now() + 3_600_000, scope: null };
  await connectionStore().save(mine, credentials);
  await connectionStore().save(other, credentials);
  // Fully synced just now with a year back and ahead: the store answers for November 2026.
  const wide = { syncWindow: { pastDays: 365, futureDays: 365 } };
  const now = new Date().toISOString();
  primary = syncedCalendar(mine, { providerCalendarId: 'primary', name: 'Ada', timeZone: NY, ...wide }, now);
  side = syncedCalendar(mine, { providerCalendarId: 'side', name: 'Birthdays', isPrimary: false, timeZone: 'Europe/Berlin', ...wide }, now);
  theirs = testCalendar(other, { providerCalendarId: 'primary' });
  for (const calendar of [side, primary, theirs]) await calendarStore().put(calendar, null);
  const weekly = storedEvent(primary, 'weekly', {
    kind: 'master',
    title: 'Weekly',
    ...timed('2026-10-19T13:00:00.000Z', '2026-10-19T14:00:00.000Z', NY), // Mondays 09:00 New York
    recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
  });
  await eventStore().putMany([
    weekly,
    storedEvent(primary, 'review', { title: 'Review', ...timed('2026-11-02T14:30:00.000Z', '2026-11-02T15:00:00.000Z') }),
    storedEvent(primary, 'lunch', { title: 'Lunch', ...timed('2026-11-03T17:00:00.000Z', '2026-11-03T18:00:00.000Z') }),
    storedEvent(primary, 'focus', { title: 'Focus', ...timed('2026-11-04T14:00:00.000Z', '2026-11-04T16:00:00.000Z'), transparency: 'transparent' }),
    storedEvent(side, 'birthday', { title: 'Birthday', ...allDay('2026-11-05', '2026-11-06') }),
    storedEvent(theirs, 'secret', { title: 'Secret', ...timed('2026-11-02T10:00:00.000Z', '2026-11-02T11:00:00.000Z') }),
  ]);
});
afterAll(async () => {
  await stack?.stop();
  if (previousGoogleApiUrl === undefined) delete process.env.GOOGLE_API_URL;
  else process.env.GOOGLE_API_URL = previousGoogleApiUrl;
});

describe('read side through the local stack', () => {
  it("lists a connection's calendars, primary first, and hides another tenant's", async () => {
    const connectionId = primary.connectionId;
    const listed = await json<{ items: { id: string; name: string; syncEnabled: boolean }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`));
    expect(listed.items.map((c) => c.id)).toEqual([primary.id, side.id]);
    expect(JSON.stringify(listed)).not.toContain('cursor');
    expect((await stack.api(`/v1/connections/${connectionId}/calendars`, { token: otherToken })).status).toBe(404);
    expect((await stack.api(`/v1/connections/${theirs.connectionId}/calendars`)).status).toBe(404);
  });

  it('lists expanded events in pages, and the stored records with expand=false', async () => {
    const all = await json<EventPage>(await stack.api(`/v1/calendars/${primary.id}/events?${RANGE}`));
    expect(all.items.map((e) => [e.title, e.start.dateTime])).toEqual([
      ['Weekly', '2026-11-02T14:00:00Z'], // 09:00 EST, after the DST change
      ['Review', '2026-11-02T14:30:00Z'],
      ['Lunch', '2026-11-03T17:00:00Z'],
      ['Focus', '2026-11-04T14:00:00Z'],
    ]);
    expect(all.items[0]!.occurrenceId).toMatch(/_20261102T140000Z$/);
    expect(all.nextCursor).toBeNull();

    const walked: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const body = await json<EventPage>(await stack.api(`/v1/calendars/${primary.id}/events?${RANGE}&limit=1${cursor ? `&cursor=${cursor}` : ''}`));
      walked.push(...body.items.map((e) => e.occurrenceId!));
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(walked).toEqual(all.items.map((e) => e.occurrenceId));

    const stored = await json<EventPage>(await stack.api(`/v1/calendars/${primary.id}/events?${RANGE}&expand=false`));
    expect(stored.items.map((e) => e.title)).toEqual(['Weekly', 'Review', 'Lunch', 'Focus']);
    expect(stored.items[0]!.start.dateTime).toBe('2026-10-19T13:00:00.000Z');
  });

  it('answers free/busy for repeated calendarIds, merged and per calendar', async () => {
    const body = await json<FreeBusyBody>(await stack.api(`/v1/free-busy?calendarIds=${primary.id}&calendarIds=${side.id}&${RANGE}`));
    expect(body.calendars[primary.id]!.busy).toEqual([
      { start: '2026-11-02T14:00:00.000Z', end: '2026-11-02T15:00:00.000Z' },
      { start: '2026-11-03T17:00:00.000Z', end: '2026-11-03T18:00:00.000Z' },
    ]);
    expect(body.calendars[side.id]!.busy).toEqual([{ start: '2026-11-04T23:00:00.000Z', end: '2026-11-05T23:00:00.000Z' }]);
    expect(body.busy).toHaveLength(3);
    expect(body.calendars[primary.id]).toMatchObject({ coverage: [{ start: '2026-11-02T00:00:00.000Z', end: '2026-11-09T00:00:00.000Z', source: 'store' }], error: null });
    expect(body.complete).toBe(true);
  });

  it("keeps tenants apart: another tenant's ids are 404 on every route", async () => {
    expect((await stack.api(`/v1/calendars/${primary.id}/events?${RANGE}`, { token: otherToken })).status).toBe(404);
    expect((await stack.api(`/v1/calendars/${theirs.id}/events?${RANGE}`)).status).toBe(404);
    const freeBusy = await json<Problem>(await stack.api(`/v1/free-busy?calendarIds=${primary.id},${theirs.id}&${RANGE}`), 404);
    expect(freeBusy.errors[0]).toMatchObject({ field: 'query.calendarIds' });
    expect(freeBusy.errors[0]!.message).toContain(theirs.id);
    expect((await stack.api(`/v1/free-busy?calendarIds=${primary.id}&${RANGE}`, { token: otherToken })).status).toBe(404);
    const patch = await stack.api(`/v1/calendars/${primary.id}`, { method: 'PATCH', body: JSON.stringify({ syncEnabled: false }), token: otherToken });
    expect(patch.status).toBe(404);
    expect(await eventStore().listAll(stack.devTenantId, primary.id)).toHaveLength(4);
  });

  it('answers 400 problems naming the offending field', async () => {
    const cases: [string, RequestInit, string][] = [
      [`/v1/calendars/${primary.id}/events?end=2026-11-09T00:00:00Z`, {}, 'query.start'],
      [`/v1/calendars/${primary.id}/events?start=2026-11-09T00:00:00Z&end=2026-11-02T00:00:00Z`, {}, 'query.end'],
      [`/v1/calendars/${primary.id}/events?start=2026-01-01T00:00:00Z&end=2027-06-01T00:00:00Z`, {}, 'query.end'],
      [`/v1/calendars/${primary.id}/events?${RANGE}&cursor=bm90LWEtY3Vyc29y`, {}, 'query.cursor'],
      [`/v1/free-busy?calendarIds=primary&${RANGE}`, {}, 'query.calendarIds'],
      [`/v1/free-busy?${RANGE}`, {}, 'query.calendarIds'],
      [`/v1/calendars/${primary.id}`, { method: 'PATCH', body: JSON.stringify({ syncWindow: { pastDays: 3 } }) }, 'body.syncWindow.pastDays'],
      [`/v1/calendars/${primary.id}`, { method: 'PATCH', body: JSON.stringify({ syncEnabled: true, name: 'x' }) }, 'body.name'],
    ];
    for (const [path, init, field] of cases) {
      const response = await stack.api(path, init);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      const problem = await json<Problem>(response, 400);
      expect(problem.errors.map((e) => e.field), path).toContain(field);
    }
  });

  it('turning sync off empties the calendar at once; turning it on queues one full sync', async () => {
    const sent: QueueMessage<SyncJob>[] = [];
    const spy = vi.spyOn(stack.queues.sync, 'send').mockImplementation(async (messages) => {
      sent.push(...(messages as QueueMessage<SyncJob>[]));
    });
    try {
      const off = await json<{ syncEnabled: boolean }>(await stack.api(`/v1/calendars/${primary.id}`, { method: 'PATCH', body: JSON.stringify({ syncEnabled: false }) }));
      expect(off.syncEnabled).toBe(false);
      expect((await json<EventPage>(await stack.api(`/v1/calendars/${primary.id}/events?${RANGE}`))).items).toEqual([]);
      // No stored copy any more: free/busy asks the provider, which here cannot be reached: unknown, not free.
      const unsynced = await json<FreeBusyBody>(await stack.api(`/v1/free-busy?calendarIds=${primary.id}&${RANGE}`));
      expect(unsynced.busy).toEqual([]);
      expect(unsynced.calendars[primary.id]).toMatchObject({ coverage: [], error: { code: 'provider.unavailable' } });
      expect(unsynced.complete).toBe(false);

      const on = await json<{ syncEnabled: boolean; syncWindow: unknown }>(
        await stack.api(`/v1/calendars/${primary.id}`, { method: 'PATCH', body: JSON.stringify({ syncEnabled: true, syncWindow: { pastDays: 14 } }) }),
      );
      expect(on).toMatchObject({ syncEnabled: true, syncWindow: { pastDays: 14, futureDays: 365 } });
      expect(sent.map((m) => m.body)).toEqual([expect.objectContaining({ tenantId: stack.devTenantId, calendarId: primary.id, full: true })]);
      expect(await calendarStore().get(stack.devTenantId, primary.id)).toMatchObject({ cursor: null, syncEnabled: true });
    } finally {
      spy.mockRestore();
    }
  });
});
