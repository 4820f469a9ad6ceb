import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoomSandbox } from '../../infra/local/sandbox-zoom.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { startRadicale, type Radicale, type RadicaleUser } from '../support/radicale.ts';
import { SANDBOX_S2S, type ZoomSimulator } from '../simulators/zoom/index.ts';
import { json } from '../support/json-response.ts';

/**
 * Zoom links on plain event writes to a CalDAV calendar (scheduling.md §2), against a real Radicale and the
 * Zoom simulator: Radicale's stored VEVENT and the simulator's meetings are the independent truth.
 */
let radicale: Radicale;
let user: RadicaleUser;
let collection: string;
let stack: TestStack;
let zoom: ZoomSimulator;
let connectionId: string;
let calendarId: string;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const base = Math.floor(Date.now() / DAY) * DAY + 12 * DAY;

interface EventBody {
  id: string;
  providerEventId: string;
  location: string | null;
  description: string | null;
  conference: { provider: string; url: string | null; id: string | null } | null;
}

/** One property of Radicale's stored VEVENT, read with ical.js (unfolded, unescaped). */
function property(ics: string, name: string): string | null {
  const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent');
  const value = event?.getFirstPropertyValue(name.toLowerCase());
  return value === null || value === undefined ? null : String(value);
}

/** The VEVENT's DTSTART as a UTC instant (its TZID resolved with the stored VTIMEZONE). */
function startOf(ics: string): number {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const zone of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  const value = root.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart') as ICAL.Time;
  return value.toJSDate().getTime();
}

/** Radicale's stored objects whose SUMMARY is `title`. */
async function storedTitled(title: string) {
  return (await user.list(collection)).filter((o) => property(o.data, 'SUMMARY') === title);
}

const meetingsTitled = (title: string) => zoom.meetings().filter((m) => m.topic === title);

beforeAll(async () => {
  for (const name of ['ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_API_URL', 'ZOOM_WEBHOOK_SECRET_TOKEN']) delete process.env[name];
  radicale = await startRadicale({ users: { ada: 'ada-app-password' } });
  user = radicale.user('ada');
  collection = await user.makeCalendar('work', { name: 'Work', timeZone: 'Europe/Berlin' });
  stack = await startTestStack({ sandbox: 'on' });
  zoom = zoomSandbox.simulator!;
  connectionId = (await json<{ id: string }>(await stack.api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify({ serverUrl: radicale.url, username: 'ada', password: 'ada-app-password' }) }), 201)).id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; name: string; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.name === 'Work')?.lastSyncedAt ? list : null;
  }, 60_000);
  calendarId = calendars.find((c) => c.name === 'Work')!.id;
  await json(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify(SANDBOX_S2S) }), 201);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await radicale?.stop();
});

describe('Zoom on a plain CalDAV event (Radicale)', () => {
  it('makes one meeting whose link Radicale stores in LOCATION and DESCRIPTION, moves it on PATCH, keeps it through a sync and deletes it with the event', async () => {
    const title = 'Zoom on CalDAV';
    const body = { title, start: iso(base + 8 * HOUR), end: iso(base + 8.75 * HOUR), timeZone: 'Europe/Berlin', description: 'Agenda: quarterly numbers', conference: { provider: 'zoom' } };
    const create = () => stack.api(`/v1/calendars/${calendarId}/events`, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': 'zoom-caldav-1' } });
    const created = await json<EventBody>(await create(), 201);

    const meetings = meetingsTitled(title);
    expect(meetings).toHaveLength(1);
    const meeting = meetings[0]!;
    expect(meeting.type).toBe(2);
    expect(Date.parse(meeting.start_time!)).toBe(base + 8 * HOUR);
    expect(meeting.duration).toBe(45);
    expect(created.conference).toMatchObject({ provider: 'zoom', url: meeting.join_url, id: String(meeting.id) });

    const [stored, ...others] = await storedTitled(title);
    expect(others).toEqual([]);
    expect(property(stored!.data, 'LOCATION')).toBe(meeting.join_url);
    const description = property(stored!.data, 'DESCRIPTION')!;
    expect(description).toContain('Agenda: quarterly numbers');
    expect(description).toContain(meeting.join_url);

    // The same key again: the same event, still one meeting and one stored object.
    expect((await json<EventBody>(await create(), 201)).id).toBe(created.id);
    expect(meetingsTitled(title)).toHaveLength(1);
    expect(await storedTitled(title)).toHaveLength(1);

    // PATCH moves the event at Radicale and the meeting at Zoom (same join URL).
    const moved = await json<EventBody>(await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ start: iso(base + 14 * HOUR), end: iso(base + 15.5 * HOUR) }) }), 200);
    expect(moved.conference).toMatchObject({ provider: 'zoom', url: meeting.join_url });
    const after = zoom.meeting(meeting.id)!;
    expect(Date.parse(after.start_time!)).toBe(base + 14 * HOUR);
    expect(after.duration).toBe(90);
    expect(after.join_url).toBe(meeting.join_url);
    const [movedAtRadicale] = await storedTitled(title);
    expect(property(movedAtRadicale!.data, 'LOCATION')).toBe(meeting.join_url);
    expect(startOf(movedAtRadicale!.data)).toBe(base + 14 * HOUR);

    // A sync reads Radicale's object back: the conference is still Zoom with the same link.
    await json(await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST', body: '{}' }), 202);
    await eventually(async () => {
      const listed = (await json<{ items: EventBody[] }>(await stack.api(`/v1/calendars/${calendarId}/events?start=${iso(base)}&end=${iso(base + DAY)}`), 200)).items;
      const mine = listed.find((e) => e.id === created.id);
      return mine?.conference?.provider === 'zoom' && mine.conference.url === meeting.join_url ? mine : null;
    }, 30_000);

    // DELETE removes the object at Radicale and the meeting at Zoom.
    expect((await stack.api(`/v1/calendars/${calendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await storedTitled(title)).toEqual([]);
    expect(zoom.meeting(meeting.id)).toBeNull();
    const types = stack.bus.published.filter((e) => e.type.startsWith('video.meeting.') && (e.data as { meetingId: string }).meetingId === String(meeting.id)).map((e) => e.type);
    expect(types).toEqual(['video.meeting.created', 'video.meeting.updated', 'video.meeting.deleted']);
  }, 120_000);
});
