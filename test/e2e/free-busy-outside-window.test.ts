import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { microsoftSandbox, SANDBOX_MICROSOFT_USER } from '../../infra/local/sandbox-microsoft.ts';
import { OtherClient } from '../integration/caldav/support/caldav-setup.ts';
import { eventually } from '../support/eventually.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { startRadicale, type Radicale } from '../support/radicale.ts';

/**
 * Free/busy for ranges the store does not mirror (issue 11 item 1), through the HTTP API of the local stack,
 * on a real Radicale and on the sandbox Google and Graph simulators. Every provider's user enters the same
 * calendar: a weekly meeting on Mondays 10:00–11:00 in Berlin since 2023-09-04 (no end), its instance of
 * 2023-11-13 moved to 14:00 and the one of 2023-11-20 cancelled; a meeting and a free block three years
 * back; a talk and an all-day conference two years ahead; one meeting just before today's sync window (it
 * opens 30 days back) and one just inside it. The expected intervals below are worked out by hand.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

const PAST = { start: '2023-10-16T00:00:00.000Z', end: '2023-11-30T00:00:00.000Z' };
const FUTURE = { start: '2028-10-16T00:00:00.000Z', end: '2028-11-30T00:00:00.000Z' };
/** Mondays 10:00 Berlin: 08:00Z while summer time lasts (until the last Sunday of October), then 09:00Z. */
const PAST_BUSY: [string, string][] = [
  ['2023-10-16T08:00:00.000Z', '2023-10-16T09:00:00.000Z'],
  ['2023-10-23T08:00:00.000Z', '2023-10-23T09:00:00.000Z'],
  ['2023-10-30T09:00:00.000Z', '2023-10-30T10:00:00.000Z'],
  ['2023-11-06T09:00:00.000Z', '2023-11-06T10:00:00.000Z'],
  ['2023-11-08T09:00:00.000Z', '2023-11-08T10:00:00.000Z'], // Old review (the free block on the 9th does not count)
  ['2023-11-13T13:00:00.000Z', '2023-11-13T14:00:00.000Z'], // moved to 14:00 Berlin
  // 2023-11-20 cancelled
  ['2023-11-27T09:00:00.000Z', '2023-11-27T10:00:00.000Z'],
];

/** Midnight of a date in a zone, from Intl (independent of our time-zone code). */
function midnightIn(date: string, zone: string): number {
  return wallToUtc(date, 0, zone);
}

function offsetAt(zone: string, ms: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - ms;
}

function wallToUtc(date: string, hour: number, zone: string): number {
  const wall = Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
  let guess = wall - offsetAt(zone, wall);
  guess = wall - offsetAt(zone, guess);
  return guess;
}

function futureBusy(calendarZone: string): [string, string][] {
  const mondays = ['2028-10-16', '2028-10-23', '2028-10-30', '2028-11-06', '2028-11-13', '2028-11-20', '2028-11-27'];
  const intervals: [number, number][] = mondays.map((d) => [wallToUtc(d, 10, 'Europe/Berlin'), wallToUtc(d, 11, 'Europe/Berlin')]);
  intervals.push([at('2028-11-15T15:00:00Z'), at('2028-11-15T16:00:00Z')]); // Future talk
  intervals.push([midnightIn('2028-11-08', calendarZone), midnightIn('2028-11-10', calendarZone)]); // Future conference, all day, 8–9 Nov
  return intervals.sort((a, b) => a[0] - b[0]).map(([s, e]) => [iso(s), iso(e)]);
}

/** Around the start of today's window: 40 to 20 days back; the store answers from the window's first day. */
function straddle(): { start: string; end: string; windowStart: string; busy: [string, string][]; before: number; inside: number } {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const start = today - 40 * DAY;
  const end = today - 20 * DAY;
  const before = today - 35 * DAY + 12 * HOUR;
  const inside = today - 25 * DAY + 12 * HOUR;
  const intervals: [number, number][] = [
    [before, before + HOUR],
    [inside, inside + HOUR],
  ];
  for (let day = start; day < end; day += DAY) {
    if (new Date(day).getUTCDay() !== 1) continue;
    const date = iso(day).slice(0, 10);
    intervals.push([wallToUtc(date, 10, 'Europe/Berlin'), wallToUtc(date, 11, 'Europe/Berlin')]);
  }
  const busy = intervals.sort((a, b) => a[0] - b[0]).map(([s, e]): [string, string] => [iso(s), iso(e)]);
  return { start: iso(start), end: iso(end), windowStart: iso(today - 30 * DAY), busy, before, inside };
}

interface CalendarAnswer {
  busy: { start: string; end: string }[];
  coverage: { start: string; end: string; source: 'store' | 'provider' }[];
  error: { code: string; message: string; retryable: boolean } | null;
}
interface FreeBusyBody {
  busy: { start: string; end: string }[];
  complete: boolean;
  calendars: Record<string, CalendarAnswer>;
}

let stack: TestStack;
let radicale: Radicale;
let proxy: FaultProxy;

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  radicale = await startRadicale({ users: { grace: 'grace-app-password' } });
  proxy = await startFaultProxy(radicale.url);
  stack = await startTestStack({ sandbox: 'on' });
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  await radicale?.stop();
});

async function freeBusy(calendarId: string, range: { start: string; end: string }): Promise<FreeBusyBody> {
  const response = await stack.api(`/v1/free-busy?calendarIds=${calendarId}&start=${range.start}&end=${range.end}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as FreeBusyBody;
}

const pairs = (answer: CalendarAnswer) => answer.busy.map((b): [string, string] => [b.start, b.end]);

/** Connects through OAuth against a sandbox simulator (consent is automatic) and returns the connection id. */
async function connectOAuth(provider: 'google' | 'microsoft'): Promise<string> {
  const authorize = await stack.api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: JSON.stringify({}) });
  const { authorizationUrl } = (await authorize.json()) as { authorizationUrl: string };
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
  expect(callback.status).toBe(200);
  return ((await callback.json()) as { connection: { id: string } }).connection.id;
}

/** The primary calendar once its first full sync has completed. */
async function syncedPrimary(connectionId: string): Promise<{ id: string; providerCalendarId: string; timeZone: string }> {
  return eventually(async () => {
    const listed = (await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; providerCalendarId: string; timeZone: string; isPrimary: boolean; lastFullSyncAt: string | null }[] };
    const primary = listed.items.find((c) => c.isPrimary);
    return primary?.lastFullSyncAt ? primary : null;
  }, 30_000);
}

/** The checks every provider must pass, once its user has entered the calendar described at the top. */
function describeOutsideTheWindow(name: string, setup: () => Promise<{ calendarId: string; timeZone: string }>, breakProvider: () => Promise<() => void>) {
  describe(`free/busy outside the mirrored window: ${name}`, () => {
    let calendarId: string;
    let timeZone: string;

    beforeAll(async () => {
      ({ calendarId, timeZone } = await setup());
    });

    it('answers three years back from the provider: the series expanded across DST with its moved and cancelled instances', async () => {
      const body = await freeBusy(calendarId, PAST);
      const answer = body.calendars[calendarId]!;
      expect(pairs(answer)).toEqual(PAST_BUSY);
      expect(answer.coverage).toEqual([{ start: PAST.start, end: PAST.end, source: 'provider' }]);
      expect(answer.error).toBeNull();
      expect(body.complete).toBe(true);
      expect(body.busy).toEqual(answer.busy);
    });

    it('answers two years ahead from the provider, all-day days in the calendar zone', async () => {
      const answer = (await freeBusy(calendarId, FUTURE)).calendars[calendarId]!;
      expect(pairs(answer)).toEqual(futureBusy(timeZone));
      expect(answer.coverage).toEqual([{ start: FUTURE.start, end: FUTURE.end, source: 'provider' }]);
    });

    it('merges the provider part before the window with the store part inside it', async () => {
      const range = straddle();
      const answer = (await freeBusy(calendarId, range)).calendars[calendarId]!;
      expect(pairs(answer)).toEqual(range.busy);
      expect(answer.coverage).toEqual([
        { start: range.start, end: range.windowStart, source: 'provider' },
        { start: range.windowStart, end: range.end, source: 'store' },
      ]);
    });

    it('keeps the store part and names the error when the provider cannot answer the rest', async () => {
      const range = straddle();
      const restore = await breakProvider();
      let body: FreeBusyBody;
      try {
        body = await freeBusy(calendarId, range);
      } finally {
        restore();
      }
      const answer = body.calendars[calendarId]!;
      expect(answer.error).toMatchObject({ code: expect.stringMatching(/^provider\.(unavailable|rate_limited)$/), retryable: true });
      expect(answer.coverage).toEqual([{ start: range.windowStart, end: range.end, source: 'store' }]);
      // What the store knows is still there; the part before the window is unknown, not free.
      expect(pairs(answer)).toEqual(range.busy.filter(([start]) => start >= range.windowStart));
      expect(body.complete).toBe(false);
    });
  });
}

describeOutsideTheWindow(
  'CalDAV (Radicale)',
  async () => {
    const user = radicale.user('grace');
    const home = await user.makeCalendar('home', { name: 'Home', timeZone: 'Europe/Berlin' });
    const other = new OtherClient(user, home);
    const zone = 'Europe/Berlin';
    await other.create([
      { uid: 'weekly', title: 'Weekly', start: { instant: '2023-09-04T08:00:00Z', zone }, end: { instant: '2023-09-04T09:00:00Z', zone }, rrule: 'FREQ=WEEKLY;BYDAY=MO' },
      { uid: 'weekly', title: 'Weekly (moved)', recurrenceId: { instant: '2023-11-13T09:00:00Z', zone }, start: { instant: '2023-11-13T13:00:00Z', zone }, end: { instant: '2023-11-13T14:00:00Z', zone } },
      { uid: 'weekly', title: 'Weekly', recurrenceId: { instant: '2023-11-20T09:00:00Z', zone }, start: { instant: '2023-11-20T09:00:00Z', zone }, end: { instant: '2023-11-20T10:00:00Z', zone }, status: 'CANCELLED' },
    ]);
    const single = (title: string, start: number, end: number, extra: { transparent?: boolean } = {}) =>
      other.create([{ uid: randomUUID(), title, start: { instant: iso(start), zone: 'UTC' }, end: { instant: iso(end), zone: 'UTC' }, ...extra }]);
    await single('Old review', at('2023-11-08T09:00:00Z'), at('2023-11-08T10:00:00Z'));
    await single('Old focus', at('2023-11-09T09:00:00Z'), at('2023-11-09T10:00:00Z'), { transparent: true });
    await single('Future talk', at('2028-11-15T15:00:00Z'), at('2028-11-15T16:00:00Z'));
    await other.create([{ uid: randomUUID(), title: 'Future conference', start: { date: '2028-11-08' }, end: { date: '2028-11-10' } }]);
    const { before, inside } = straddle();
    await single('Before the window', before, before + HOUR);
    await single('Inside the window', inside, inside + HOUR);

    const connected = await stack.api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify({ serverUrl: proxy.url, username: 'grace', password: 'grace-app-password' }) });
    expect(connected.status).toBe(201);
    const calendar = await syncedPrimary(((await connected.json()) as { id: string }).id);
    return { calendarId: calendar.id, timeZone: calendar.timeZone };
  },
  async () => proxy.addRule((request) => (request.method === 'REPORT' && request.body.includes('calendar-query') ? { kind: 'status', status: 503 } : null)),
);

describeOutsideTheWindow(
  'Google (sandbox simulator)',
  async () => {
    const google = sandboxSimulators.google!;
    const user = SANDBOX_GOOGLE_USER;
    const berlin = (text: string) => ({ dateTime: text, timeZone: 'Europe/Berlin' });
    const series = google.createRecurringEvent(user, { summary: 'Weekly', start: berlin('2023-09-04T10:00:00+02:00'), end: berlin('2023-09-04T11:00:00+02:00'), recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'] });
    google.editInstance(user, series.id, '2023-11-13T09:00:00Z', { summary: 'Weekly (moved)', start: berlin('2023-11-13T14:00:00+01:00'), end: berlin('2023-11-13T15:00:00+01:00') });
    google.cancelInstance(user, series.id, '2023-11-20T09:00:00Z');
    const single = (summary: string, start: number, end: number, transparent = false) =>
      google.insertEvent(user, { summary, start: { dateTime: iso(start) }, end: { dateTime: iso(end) }, ...(transparent ? { transparency: 'transparent' as const } : {}) });
    single('Old review', at('2023-11-08T09:00:00Z'), at('2023-11-08T10:00:00Z'));
    single('Old focus', at('2023-11-09T09:00:00Z'), at('2023-11-09T10:00:00Z'), true);
    single('Future talk', at('2028-11-15T15:00:00Z'), at('2028-11-15T16:00:00Z'));
    google.insertEvent(user, { summary: 'Future conference', start: { date: '2028-11-08' }, end: { date: '2028-11-10' } });
    const { before, inside } = straddle();
    single('Before the window', before, before + HOUR);
    single('Inside the window', inside, inside + HOUR);

    const calendar = await syncedPrimary(await connectOAuth('google'));
    return { calendarId: calendar.id, timeZone: calendar.timeZone };
  },
  async () => {
    // The adapter retries a 503 twice itself: three in a row reach the caller.
    sandboxSimulators.google!.failNext({ route: 'freebusy.query', status: 503, count: 3 });
    return () => sandboxSimulators.google!.clearFaults();
  },
);

describeOutsideTheWindow(
  'Microsoft Graph (sandbox simulator)',
  async () => {
    const graph = microsoftSandbox.simulator!;
    const calendarId = graph.user(SANDBOX_MICROSOFT_USER).defaultCalendarId;
    const zone = 'W. Europe Standard Time';
    const series = graph.createEvent(calendarId, {
      subject: 'Weekly',
      start: { dateTime: '2023-09-04T10:00:00', timeZone: zone },
      end: { dateTime: '2023-09-04T11:00:00', timeZone: zone },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, range: { type: 'noEnd', startDate: '2023-09-04' } },
    });
    const occurrence = (originalStart: string) => graph.occurrences(series.id, at(originalStart) - 1, at(originalStart) + 1).find((o) => Date.parse(String(o.originalStart)) === at(originalStart))!;
    graph.updateEvent(occurrence('2023-11-13T09:00:00Z').id, { subject: 'Weekly (moved)', start: { dateTime: '2023-11-13T14:00:00', timeZone: zone }, end: { dateTime: '2023-11-13T15:00:00', timeZone: zone } });
    graph.cancelOccurrence(occurrence('2023-11-20T09:00:00Z').id);
    const single = (subject: string, start: number, end: number, free = false) =>
      graph.createEvent(calendarId, { subject, start: { dateTime: iso(start).slice(0, 19), timeZone: 'UTC' }, end: { dateTime: iso(end).slice(0, 19), timeZone: 'UTC' }, ...(free ? { showAs: 'free' } : {}) });
    single('Old review', at('2023-11-08T09:00:00Z'), at('2023-11-08T10:00:00Z'));
    single('Old focus', at('2023-11-09T09:00:00Z'), at('2023-11-09T10:00:00Z'), true);
    single('Future talk', at('2028-11-15T15:00:00Z'), at('2028-11-15T16:00:00Z'));
    graph.createEvent(calendarId, { subject: 'Future conference', isAllDay: true, start: { dateTime: '2028-11-08T00:00:00', timeZone: 'UTC' }, end: { dateTime: '2028-11-10T00:00:00', timeZone: 'UTC' } });
    const { before, inside } = straddle();
    single('Before the window', before, before + HOUR);
    single('Inside the window', inside, inside + HOUR);

    const calendar = await syncedPrimary(await connectOAuth('microsoft'));
    return { calendarId: calendar.id, timeZone: calendar.timeZone };
  },
  async () => {
    // Throttled with a wait longer than the adapter sits out in-process: the caller gets provider.rate_limited.
    microsoftSandbox.simulator!.failNext({ method: 'GET', pathPattern: /\/calendarView(?!\/delta)/, status: 429, retryAfterSeconds: 120 });
    return () => microsoftSandbox.simulator!.clearFaults();
  },
);
