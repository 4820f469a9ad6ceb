import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { OtherClient } from '../integration/caldav/support/caldav-setup.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { startRadicale, type Radicale } from '../support/radicale.ts';
import { json } from '../support/json-response.ts';

/**
 * The "Done means", through the local stack: a schedule; 30-minute collective slots across a Google
 * sandbox calendar, a Graph sandbox calendar, a Radicale calendar and one of a Google room; a conflict check
 * whose alternatives are all free. Every answer is checked against GET /v1/free-busy of the same calendars.
 */
let stack: TestStack;
let radicale: Radicale;
let otherToken: string;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ROOM_ID = 'c_1880room4@resource.calendar.google.com';
const ZONE = 'Europe/Berlin';

interface Problem {
  status: number;
  errors: { field: string; message: string }[];
}
interface Slot {
  start: string;
  end: string;
  participants: number[];
  members?: Record<string, number[]>;
}
interface Interval {
  start: string;
  end: string;
}

const today = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  radicale = await startRadicale({ users: { grace: 'grace-app-password' } });
  const grace = radicale.user('grace');
  const home = await grace.makeCalendar('home', { name: 'Home', timeZone: ZONE });
  const other = new OtherClient(grace, home);
  await other.create([{ uid: 'dentist', title: 'Dentist', start: { instant: iso(today + 2 * DAY + 9 * HOUR), zone: ZONE }, end: { instant: iso(today + 2 * DAY + 10 * HOUR), zone: ZONE } }]);
  await other.create([{ uid: 'yoga', title: 'Yoga', start: { instant: iso(today + DAY + 12 * HOUR), zone: ZONE }, end: { instant: iso(today + DAY + 13 * HOUR), zone: ZONE }, rrule: 'FREQ=DAILY;COUNT=6' }]);
  stack = await startTestStack({ sandbox: 'on' });
  otherToken = await stack.tokenFor('other-tenant');
  // A Workspace room the sandbox user can see, booked tomorrow afternoon.
  const google = sandboxSimulators.google!;
  google.createCalendar(SANDBOX_GOOGLE_USER, { id: ROOM_ID, summary: 'Room 4', timeZone: 'UTC' });
  google.insertEvent(ROOM_ID, { summary: 'Room booked', start: { dateTime: iso(today + DAY + 14 * HOUR) }, end: { dateTime: iso(today + DAY + 16 * HOUR) } });
});
afterAll(async () => {
  await stack?.stop();
  await radicale?.stop();
});

async function connectOAuth(provider: 'google' | 'microsoft'): Promise<string> {
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: '{}' }));
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
  return (await json<{ connection: { id: string } }>(callback)).connection.id;
}

async function calendarsOf(connectionId: string) {
  await eventually(async () => (await json<{ lastSyncedAt: string | null }>(await stack.api(`/v1/connections/${connectionId}`))).lastSyncedAt, 20_000);
  return (await json<{ items: { id: string; isPrimary: boolean; kind: string; providerCalendarId: string }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`))).items;
}

function overlaps(a: Interval, b: Interval, beforeMs = 0, afterMs = 0): boolean {
  return Date.parse(a.start) - beforeMs < Date.parse(b.end) && Date.parse(a.end) + afterMs > Date.parse(b.start);
}

const berlinHour = (ms: number) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', hourCycle: 'h23' }).format(new Date(ms)));

describe('availability end to end (Google and Graph sandboxes, Radicale)', () => {
  let google: string;
  let graph: string;
  let caldav: string;
  let room: string;
  let scheduleId: string;
  const start = iso(Math.ceil(Date.now() / HOUR) * HOUR);
  const end = iso(Math.ceil(Date.now() / HOUR) * HOUR + 7 * DAY);

  it('connects the three providers; the Google resource calendar is found as a room', async () => {
    const googleCalendars = await calendarsOf(await connectOAuth('google'));
    google = googleCalendars.find((c) => c.isPrimary)!.id;
    const roomCalendar = googleCalendars.find((c) => c.providerCalendarId === ROOM_ID)!;
    expect(roomCalendar.kind).toBe('room');
    expect(googleCalendars.find((c) => c.isPrimary)!.kind).toBe('user');
    room = roomCalendar.id;
    graph = (await calendarsOf(await connectOAuth('microsoft'))).find((c) => c.isPrimary)!.id;
    const connection = await json<{ id: string }>(
      await stack.api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify({ serverUrl: radicale.url, username: 'grace', password: 'grace-app-password' }) }),
      201,
    );
    caldav = (await calendarsOf(connection.id))[0]!.id;
  });

  it('creates, lists, reads and changes a schedule', async () => {
    const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '08:00', end: '18:00' }));
    const created = await json<{ id: string; timeZone: string }>(await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Office hours', timeZone: ZONE, weekly: weekdays }) }), 201);
    scheduleId = created.id;
    expect((await json<{ items: { id: string }[] }>(await stack.api('/v1/schedules'))).items.map((s) => s.id)).toEqual([scheduleId]);
    const changed = await json<{ name: string; weekly: unknown[] }>(await stack.api(`/v1/schedules/${scheduleId}`, { method: 'PATCH', body: JSON.stringify({ name: 'Office' }) }));
    expect(changed).toMatchObject({ name: 'Office', weekly: weekdays });
    expect((await json<{ name: string }>(await stack.api(`/v1/schedules/${scheduleId}`))).name).toBe('Office');
  });

  it('finds 30-minute collective slots across Google, Graph, Radicale and one free room, none overlapping busy time', async () => {
    const body = {
      participants: [{ calendarIds: [google], scheduleId }, { calendarIds: [graph], scheduleId }, { calendarIds: [caldav], scheduleId }, { group: [{ calendarIds: [room] }], required: 1 }],
      mode: 'collective',
      start,
      end,
      durationMinutes: 30,
      bufferBeforeMinutes: 10,
      bufferAfterMinutes: 10,
      maxResults: 1000,
    };
    const result = await json<{ slots: Slot[]; timeZone: string; calendars: { calendarId: string; error: unknown; coverage: { source: string }[] }[] }>(
      await stack.api('/v1/availability', { method: 'POST', body: JSON.stringify(body) }),
    );
    expect(result.timeZone).toBe(ZONE);
    expect(result.calendars.map((c) => [c.calendarId, c.error, c.coverage.map((part) => part.source)])).toEqual([google, graph, caldav, room].map((id) => [id, null, ['store']]));
    const freeBusy = await json<{ calendars: Record<string, { busy: Interval[] }> }>(
      await stack.api(`/v1/free-busy?calendarIds=${[google, graph, caldav, room].join(',')}&start=${iso(Date.parse(start) - HOUR)}&end=${iso(Date.parse(end) + HOUR)}&timeZone=${ZONE}`),
    );
    const busy = Object.values(freeBusy.calendars).flatMap((c) => c.busy);
    // Not vacuous: every provider has busy time inside the searched working hours.
    for (const id of [google, graph, caldav, room]) expect(freeBusy.calendars[id]!.busy.some((b) => berlinHour(Date.parse(b.start)) >= 8 && berlinHour(Date.parse(b.start)) < 18)).toBe(true);
    expect(result.slots.length).toBeGreaterThan(20);
    for (const slot of result.slots) {
      expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(30 * 60_000);
      expect(new Date(slot.start).getUTCMinutes() % 30).toBe(0);
      expect(berlinHour(Date.parse(slot.start))).toBeGreaterThanOrEqual(8);
      expect(berlinHour(Date.parse(slot.end) - 1)).toBeLessThan(18);
      expect(slot.participants).toEqual([0, 1, 2, 3]);
      expect(slot.members).toEqual({ 3: [0] });
      const hit = busy.find((b) => overlaps(slot, b, 10 * 60_000, 10 * 60_000));
      expect(hit, `${slot.start} overlaps ${JSON.stringify(hit)}`).toBeUndefined();
    }
  });

  it('answers a conflict check with the colliding events and free alternatives', async () => {
    const events = await json<{ items: { title: string; start: { dateTime?: string }; end: { dateTime?: string } }[] }>(await stack.api(`/v1/calendars/${graph}/events?start=${start}&end=${end}`));
    const review = events.items.find((e) => e.title === 'Quarterly review')!;
    const proposal = { start: review.start.dateTime!, end: review.end.dateTime! };
    const result = await json<{ conflicts: { calendarId: string; title: string | null }[]; outsideWorkingHours: boolean; alternatives: Interval[] }>(
      await stack.api('/v1/conflicts', {
        method: 'POST',
        body: JSON.stringify({ calendarIds: [google, graph, caldav], ...proposal, scheduleId, alternatives: 4, bufferBeforeMinutes: 5, bufferAfterMinutes: 5 }),
      }),
    );
    expect(result.conflicts).toContainEqual(expect.objectContaining({ calendarId: graph, title: 'Quarterly review' }));
    expect(result.outsideWorkingHours).toBe(false);
    expect(result.alternatives).toHaveLength(4);
    const freeBusy = await json<{ busy: Interval[] }>(
      await stack.api(`/v1/free-busy?calendarIds=${[google, graph, caldav].join(',')}&start=${iso(Date.parse(proposal.start) - 15 * DAY)}&end=${iso(Date.parse(proposal.end) + 15 * DAY)}&timeZone=${ZONE}`),
    );
    for (const alternative of result.alternatives) {
      expect(Date.parse(alternative.end) - Date.parse(alternative.start)).toBe(Date.parse(proposal.end) - Date.parse(proposal.start));
      expect(alternative.start).not.toBe(proposal.start);
      expect(berlinHour(Date.parse(alternative.start))).toBeGreaterThanOrEqual(8);
      expect(berlinHour(Date.parse(alternative.end) - 1)).toBeLessThan(18);
      expect(freeBusy.busy.find((b) => overlaps(alternative, b, 5 * 60_000, 5 * 60_000))).toBeUndefined();
      expect(Math.abs(Date.parse(alternative.start) - Date.parse(proposal.start))).toBeLessThan(DAY);
    }
  });

  it('answers bad input on every new route with a 400 problem naming the field', async () => {
    const cases: [string, RequestInit, string][] = [
      ['/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'x', timeZone: 'Mars/Base', weekly: [] }) }, 'body.timeZone'],
      ['/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'x', timeZone: 'UTC', weekly: [{ day: 'mon', start: '10:00', end: '09:00' }] }) }, 'body.weekly[0].end'],
      ['/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'x', timeZone: 'UTC', weekly: [{ day: 'mon', start: '09:00', end: '12:00' }, { day: 'mon', start: '11:00', end: '13:00' }] }) }, 'body.weekly[1].start'],
      ['/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'x', timeZone: 'UTC', weekly: [], overrides: [{ date: '2027-02-29', ranges: [] }] }) }, 'body.overrides[0].date'],
      ['/v1/schedules?limit=500', {}, 'query.limit'],
      ['/v1/schedules/not-an-id', {}, 'params.id'],
      [`/v1/schedules/${scheduleId}`, { method: 'PATCH', body: JSON.stringify({ overrides: [{ date: '2027-03-29', ranges: [] }, { date: '2027-03-29', ranges: [] }] }) }, 'body.overrides[1].date'],
      ['/v1/schedules/not-an-id', { method: 'DELETE' }, 'params.id'],
      ['/v1/availability', { method: 'POST', body: JSON.stringify({ participants: [{ calendarIds: [google] }], start, end: iso(Date.parse(start) + 91 * DAY), durationMinutes: 30 }) }, 'body.end'],
      ['/v1/availability', { method: 'POST', body: JSON.stringify({ participants: [{ calendarIds: [google] }], start, end, durationMinutes: 30, mode: 'everyone' }) }, 'body.mode'],
      ['/v1/availability', { method: 'POST', body: JSON.stringify({ participants: [{ calendarIds: ['primary'] }], start, end, durationMinutes: 30 }) }, 'body.participants[0].calendarIds[0]'],
      ['/v1/conflicts', { method: 'POST', body: JSON.stringify({ calendarIds: [google], start, end }) }, 'body.end'],
      ['/v1/conflicts', { method: 'POST', body: JSON.stringify({ calendarIds: [google], start: end, end: start }) }, 'body.end'],
      [`/v1/calendars/${room}`, { method: 'PATCH', body: JSON.stringify({ kind: 'desk' }) }, 'body.kind'],
    ];
    for (const [path, init, field] of cases) {
      const response = await stack.api(path, init);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      expect((await json<Problem>(response, 400)).errors.map((e) => e.field), `${init.method ?? 'GET'} ${path}`).toContain(field);
    }
  });

  it("keeps tenants apart: another tenant's schedules and calendars are 404 on every route, inside participants too", async () => {
    const theirs = await json<{ id: string }>(
      await stack.api('/v1/schedules', { method: 'POST', token: otherToken, body: JSON.stringify({ name: 'Theirs', timeZone: 'UTC', weekly: [{ day: 'mon', start: '09:00', end: '17:00' }] }) }),
      201,
    );
    for (const init of [{}, { method: 'PATCH', body: JSON.stringify({ name: 'Taken' }) }, { method: 'DELETE' }] as RequestInit[]) {
      expect((await stack.api(`/v1/schedules/${scheduleId}`, { ...init, token: otherToken })).status).toBe(404);
      expect((await stack.api(`/v1/schedules/${theirs.id}`, init)).status).toBe(404);
    }
    expect((await json<{ items: { id: string }[] }>(await stack.api('/v1/schedules', { token: otherToken }))).items.map((s) => s.id)).toEqual([theirs.id]);
    const query = { start, end, durationMinutes: 30 };
    const notFound = async (path: string, body: unknown, token?: string) => (await json<Problem>(await stack.api(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) }), 404)).errors[0]!.field;
    expect(await notFound('/v1/availability', { ...query, participants: [{ calendarIds: [google] }] }, otherToken)).toBe('body.participants[0].calendarIds[0]');
    expect(await notFound('/v1/availability', { ...query, participants: [{ calendarIds: [google] }, { calendarIds: [graph], scheduleId: theirs.id }] })).toBe('body.participants[1].scheduleId');
    expect(await notFound('/v1/availability', { ...query, participants: [{ calendarIds: [google] }, { group: [{ calendarIds: [room] }] }] }, otherToken)).toBe('body.participants[0].calendarIds[0]');
    expect(await notFound('/v1/conflicts', { calendarIds: [google], start, end: iso(Date.parse(start) + HOUR) }, otherToken)).toBe('body.calendarIds[0]');
    expect(await notFound('/v1/conflicts', { calendarIds: [google], start, end: iso(Date.parse(start) + HOUR), scheduleId: theirs.id })).toBe('body.scheduleId');
    expect((await stack.api(`/v1/calendars/${room}`, { method: 'PATCH', body: JSON.stringify({ kind: 'resource' }), token: otherToken })).status).toBe(404);
    expect((await json<{ kind: string }>(await stack.api(`/v1/calendars/${room}`, { method: 'PATCH', body: JSON.stringify({ kind: 'resource' }) }))).kind).toBe('resource');
  });
});
