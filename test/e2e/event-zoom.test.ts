import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { microsoftSandbox } from '../../infra/local/sandbox-microsoft.ts';
import { zoomSandbox } from '../../infra/local/sandbox-zoom.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { connectSandboxAccount } from '../support/sandbox-connect.ts';
import { SANDBOX_S2S, type ZoomSimulator } from '../simulators/zoom/index.ts';
import { json } from '../support/json-response.ts';

/**
 * Zoom links on plain event writes (scheduling.md §2 `conference.provider: "zoom"`), on the local stack in
 * sandbox mode: the Zoom simulator's meetings and the Google and Graph simulators' events are the
 * independent truth (never only our own answers).
 */
let stack: TestStack;
let zoom: ZoomSimulator;
let googleConnectionId: string;
let googleCalendarId: string;
let microsoftCalendarId: string;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const base = Math.floor(Date.now() / DAY) * DAY + 15 * DAY;

interface EventBody {
  id: string;
  providerEventId: string;
  title: string;
  location: string | null;
  description: string | null;
  conference: { provider: string; url: string | null; id: string | null } | null;
  conferenceError?: { code: string; message: string };
}
interface Problem {
  code: string;
  errors?: { field: string; message: string }[];
}

const createEvent = (calendarId: string, body: Record<string, unknown>, key?: string) =>
  stack.api(`/v1/calendars/${calendarId}/events`, { method: 'POST', body: JSON.stringify(body), headers: key ? { 'idempotency-key': key } : {} });
const googleEvent = (id: string) => sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).find((e) => e.id === id && e.status !== 'cancelled') ?? null;
const meetingsTitled = (title: string) => zoom.meetings().filter((m) => m.topic === title);
/** An hour-long Google event with a Zoom link and the caller's own description; its meeting is linked in Google's location. */
async function googleZoomEvent(title: string, startMs: number, description: string): Promise<{ created: EventBody; meeting: ReturnType<typeof meetingsTitled>[number] }> {
  const created = await json<EventBody>(await createEvent(googleCalendarId, { title, start: iso(startMs), end: iso(startMs + HOUR), description, conference: { provider: 'zoom' } }), 201);
  const [meeting] = meetingsTitled(title);
  expect(googleEvent(created.providerEventId)!.location).toBe(meeting!.join_url);
  return { created, meeting: meeting! };
}
interface LogEntry {
  bookingId: string | null;
  summary: string;
  error: { code: string } | null;
}
/** The integration log's failed `error` entries, newest first (our log, read through the API). */
const errorEntries = async () => (await json<{ items: LogEntry[] }>(await stack.api('/v1/logs?type=error&success=false'), 200)).items;

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_API_URL', 'ZOOM_WEBHOOK_SECRET_TOKEN']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  zoom = zoomSandbox.simulator!;
  ({ connectionId: googleConnectionId, calendarId: googleCalendarId } = await connectSandboxAccount(stack, 'google'));
  microsoftCalendarId = (await connectSandboxAccount(stack, 'microsoft')).calendarId;
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('Zoom on plain event writes', () => {
  it('is a 400 naming conference.provider while the tenant has no Zoom connection', async () => {
    const problem = await json<Problem>(await createEvent(googleCalendarId, { title: 'Too early', start: iso(base + 9 * HOUR), end: iso(base + 10 * HOUR), conference: { provider: 'zoom' } }), 400);
    expect(problem.errors?.[0]?.field).toBe('body.conference.provider');
    expect(problem.errors?.[0]?.message).toMatch(/connect/i);
    expect(meetingsTitled('Too early')).toEqual([]);
  });

  it('creates one Zoom meeting per event write (also when the create is retried after the calendar write failed), links it in Google, moves it on PATCH, keeps it through a sync and deletes it with the event', async () => {
    await json(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify(SANDBOX_S2S) }), 201);
    const title = 'Zoom on Google';
    const body = { title, start: iso(base + 9 * HOUR), end: iso(base + 9.5 * HOUR), timeZone: 'Europe/Berlin', conference: { provider: 'zoom' } };
    // The first attempt makes the Zoom meeting, then Google refuses the insert: nothing is left half made...
    sandboxSimulators.google!.failNext({ route: 'events.insert', status: 400, reason: 'invalid', message: 'injected' });
    const failed = await createEvent(googleCalendarId, body, 'zoom-google-1');
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(meetingsTitled(title)).toHaveLength(1);
    // ...and the retry with the same key reuses that meeting: one meeting, one event.
    const created = await json<EventBody>(await createEvent(googleCalendarId, body, 'zoom-google-1'), 201);
    const meetings = meetingsTitled(title);
    expect(meetings).toHaveLength(1);
    const meeting = meetings[0]!;
    expect(Date.parse(meeting.start_time!)).toBe(base + 9 * HOUR);
    expect(meeting.duration).toBe(30);
    expect(created.conference).toMatchObject({ provider: 'zoom', url: meeting.join_url, id: String(meeting.id) });
    expect(created.conferenceError).toBeUndefined();
    const atGoogle = googleEvent(created.providerEventId)!;
    expect(atGoogle.location).toBe(meeting.join_url);
    expect(atGoogle.description).toContain(meeting.join_url);
    // The same key again replays the same event; Zoom still has one meeting.
    expect((await json<EventBody>(await createEvent(googleCalendarId, body, 'zoom-google-1'), 201)).id).toBe(created.id);
    expect(meetingsTitled(title)).toHaveLength(1);

    // PATCH moves the event and its meeting (same join URL).
    const moved = await json<EventBody>(await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ start: iso(base + 13 * HOUR), end: iso(base + 14 * HOUR) }) }), 200);
    expect(moved.conference).toMatchObject({ provider: 'zoom', url: meeting.join_url });
    const after = zoom.meeting(meeting.id)!;
    expect(Date.parse(after.start_time!)).toBe(base + 13 * HOUR);
    expect(after.duration).toBe(60);
    expect(after.join_url).toBe(meeting.join_url);

    // A sync (the provider's own event read back) keeps the conference.
    await json(await stack.api(`/v1/connections/${googleConnectionId}/sync`, { method: 'POST', body: '{}' }), 202);
    await eventually(async () => {
      const listed = (await json<{ items: EventBody[] }>(await stack.api(`/v1/calendars/${googleCalendarId}/events?start=${iso(base)}&end=${iso(base + DAY)}`), 200)).items;
      const mine = listed.find((e) => e.id === created.id);
      return mine?.conference?.provider === 'zoom' && mine.conference.url === meeting.join_url ? mine : null;
    }, 30_000);

    // DELETE takes the meeting with it.
    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(googleEvent(created.providerEventId)).toBeNull();
    expect(zoom.meeting(meeting.id)).toBeNull();
    const meetingEvents = stack.bus.published.filter((e) => e.type.startsWith('video.meeting.') && (e.data as { meetingId: string }).meetingId === String(meeting.id));
    expect(meetingEvents.map((e) => e.type)).toEqual(['video.meeting.created', 'video.meeting.updated', 'video.meeting.deleted']);
    // A plain event's meeting belongs to no booking.
    expect(meetingEvents.map((e) => (e.data as { bookingId: string | null }).bookingId)).toEqual([null, null, null]);
  }, 120_000);

  it('links the meeting on a Microsoft 365 event too, and keeps a location the caller gave', async () => {
    const title = 'Zoom on Graph';
    const created = await json<EventBody>(
      await createEvent(microsoftCalendarId, { title, start: iso(base + 10 * HOUR), end: iso(base + 11 * HOUR), location: 'Room 4.01', conference: { provider: 'zoom' } }),
      201,
    );
    const [meeting] = meetingsTitled(title);
    expect(meetingsTitled(title)).toHaveLength(1);
    expect(Date.parse(meeting!.start_time!)).toBe(base + 10 * HOUR);
    const atGraph = microsoftSandbox.simulator!.getEvent(created.providerEventId) as unknown as { location?: { displayName?: string }; body?: { content?: string } };
    expect(atGraph.location?.displayName).toBe('Room 4.01');
    expect(atGraph.body?.content).toContain(meeting!.join_url);
    expect(created.conference).toMatchObject({ provider: 'zoom', url: meeting!.join_url });
    expect((await stack.api(`/v1/calendars/${microsoftCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(zoom.meeting(meeting!.id)).toBeNull();
  }, 60_000);

  it('gives a retry with the same Idempotency-Key but another time (after the calendar write failed) a meeting at that time', async () => {
    const title = 'Zoom key reused';
    const first = { title, start: iso(base + 23 * HOUR), end: iso(base + 23.5 * HOUR), conference: { provider: 'zoom' } };
    sandboxSimulators.google!.failNext({ route: 'events.insert', status: 400, reason: 'invalid', message: 'injected' });
    expect((await createEvent(googleCalendarId, first, 'zoom-key-reused')).status).toBeGreaterThanOrEqual(400);
    // The failed request freed its key; the caller corrects the time and sends it again under the same key.
    const second = { ...first, start: iso(base + DAY + 8 * HOUR), end: iso(base + DAY + 9 * HOUR) };
    const created = await json<EventBody>(await createEvent(googleCalendarId, second, 'zoom-key-reused'), 201);
    // The meeting the event links is at the event's time, as Zoom has it.
    const linked = zoom.meetings().find((m) => m.join_url === created.conference?.url);
    expect(linked, 'the event links a meeting Zoom has').toBeDefined();
    expect(Date.parse(linked!.start_time!)).toBe(base + DAY + 8 * HOUR);
    expect(linked!.duration).toBe(60);
    expect(googleEvent(created.providerEventId)!.location).toBe(linked!.join_url);
    // The identical request again is a replay: no further meeting.
    const count = meetingsTitled(title).length;
    expect((await json<EventBody>(await createEvent(googleCalendarId, second, 'zoom-key-reused'), 201)).id).toBe(created.id);
    expect(meetingsTitled(title)).toHaveLength(count);
    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(zoom.meeting(linked!.id)).toBeNull();
  }, 60_000);

  it('keeps the calendar change when Zoom refuses to move or delete the meeting, and logs the failure', async () => {
    const title = 'Zoom refuses';
    const created = await json<EventBody>(await createEvent(googleCalendarId, { title, start: iso(base + 19 * HOUR), end: iso(base + 20 * HOUR), conference: { provider: 'zoom' } }), 201);
    const [meeting] = meetingsTitled(title);
    expect(meetingsTitled(title)).toHaveLength(1);
    const failuresBefore = (await errorEntries()).length;

    // Zoom refuses the move (a 400 is not retried): Google has the new time, Zoom keeps the old one.
    zoom.failNext({ method: 'PATCH', pathPattern: `/meetings/${meeting!.id}`, status: 400, code: 300, message: 'injected' });
    const moved = await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ start: iso(base + 21 * HOUR), end: iso(base + 22 * HOUR) }) });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(Date.parse(googleEvent(created.providerEventId)!.start!.dateTime!)).toBe(base + 21 * HOUR);
    expect(Date.parse(zoom.meeting(meeting!.id)!.start_time!)).toBe(base + 19 * HOUR);

    // Zoom refuses the delete: the event is gone from Google all the same; the meeting is left at Zoom.
    zoom.failNext({ method: 'DELETE', pathPattern: `/meetings/${meeting!.id}`, status: 400, code: 300, message: 'injected' });
    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(googleEvent(created.providerEventId)).toBeNull();
    expect(zoom.meeting(meeting!.id)).not.toBeNull();

    // Both refusals are in the integration log, as the event's (not a booking's) meeting failures.
    const entries = await errorEntries();
    const failures = entries.slice(0, entries.length - failuresBefore);
    expect(failures.map((e) => e.error?.code)).toEqual(['video.input_invalid', 'video.input_invalid']);
    for (const entry of failures) {
      expect(entry.bookingId).toBeNull();
      expect(entry.summary).toMatch(/Zoom meeting of the event failed/);
    }
    // Neither an update nor a delete was announced for the meeting Zoom kept as it was.
    const announced = stack.bus.published.filter((e) => e.type.startsWith('video.meeting.') && (e.data as { meetingId: string }).meetingId === String(meeting!.id));
    expect(announced.map((e) => e.type)).toEqual(['video.meeting.created']);
  }, 60_000);

  it('writes the event without a link when Zoom is down for every attempt, and says so; a title-only PATCH renames the meeting', async () => {
    const title = 'Zoom down';
    zoom.failNext({ method: 'POST', pathPattern: /\/users\/[^/]+\/meetings$/, status: 503, count: 3, message: 'injected outage' });
    const created = await json<EventBody>(await createEvent(googleCalendarId, { title, start: iso(base + DAY + 10 * HOUR), end: iso(base + DAY + 11 * HOUR), conference: { provider: 'zoom' } }), 201);
    expect(created.conferenceError?.code).toBe('video.unavailable');
    expect(created.conference).toBeNull();
    expect(meetingsTitled(title)).toEqual([]);
    expect(googleEvent(created.providerEventId)!.location ?? null).toBeNull();
    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);

    // Zoom back: a PATCH of the title alone renames the meeting at Zoom, its time unchanged.
    const made = await json<EventBody>(await createEvent(googleCalendarId, { title: 'Zoom old name', start: iso(base + DAY + 12 * HOUR), end: iso(base + DAY + 13 * HOUR), conference: { provider: 'zoom' } }), 201);
    const [meeting] = meetingsTitled('Zoom old name');
    expect(meeting).toBeDefined();
    await json(await stack.api(`/v1/calendars/${googleCalendarId}/events/${made.id}`, { method: 'PATCH', body: JSON.stringify({ title: 'Zoom new name' }) }), 200);
    const renamed = zoom.meeting(meeting!.id)!;
    expect(renamed.topic).toBe('Zoom new name');
    expect(Date.parse(renamed.start_time!)).toBe(base + DAY + 12 * HOUR);
    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${made.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(zoom.meeting(meeting!.id)).toBeNull();
  }, 60_000);

  it('PATCH conference null takes the link off the event (keeping the caller\'s own text) and deletes the meeting', async () => {
    const { created, meeting } = await googleZoomEvent('Zoom dropped', base + 19 * HOUR, 'Agenda: budget');
    const patched = await json<EventBody>(await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'PATCH', body: JSON.stringify({ conference: null }) }), 200);
    expect(patched.conference).toBeNull();
    const atGoogle = googleEvent(created.providerEventId)!;
    expect(atGoogle.location ?? null).toBeNull();
    expect(atGoogle.description).toBe('Agenda: budget');
    expect(zoom.meeting(meeting!.id)).toBeNull();
  }, 60_000);

  it('a meeting deleted in Zoom takes its dead link off the plain event on Google and Graph, keeping the caller\'s own text', async () => {
    const deletedEvents = () => stack.bus.published.filter((e) => e.type === 'video.meeting.deleted');
    const title = 'Zoom gone plain';
    const { created, meeting } = await googleZoomEvent(title, base + 21 * HOUR, 'Agenda: Q1');
    await zoom.userDeleteMeeting(meeting!.id);
    expect(zoom.webhookLog.at(-1)).toMatchObject({ event: 'meeting.deleted', status: 200 });
    expect(deletedEvents().filter((e) => (e.data as { meetingId: string }).meetingId === String(meeting!.id))).toMatchObject([
      { data: { source: 'provider', bookingId: null, calendarEvent: { calendarId: googleCalendarId, eventId: created.id } } },
    ]);
    // Google's own event loses the link (booking-lifecycle, asynchronously); what the caller wrote stays.
    await eventually(async () => (googleEvent(created.providerEventId)!.location ?? null) === null);
    expect(googleEvent(created.providerEventId)).toMatchObject({ summary: title, description: 'Agenda: Q1' });
    const window = `start=${iso(base + 20 * HOUR)}&end=${iso(base + 23 * HOUR)}`;
    const listed = await eventually(async () => {
      const { items } = await json<{ items: EventBody[] }>(await stack.api(`/v1/calendars/${googleCalendarId}/events?${window}`), 200);
      const item = items.find((e) => e.id === created.id);
      return item && item.location === null ? item : null;
    });
    expect(listed.conference).toBeNull();

    const graphTitle = 'Zoom gone plain Graph';
    const onGraph = await json<EventBody>(
      await createEvent(microsoftCalendarId, { title: graphTitle, start: iso(base + 21 * HOUR), end: iso(base + 22 * HOUR), location: 'Room 5', conference: { provider: 'zoom' } }),
      201,
    );
    const [graphMeeting] = meetingsTitled(graphTitle);
    const atGraph = () => microsoftSandbox.simulator!.getEvent(onGraph.providerEventId) as unknown as { location?: { displayName?: string }; body?: { content?: string } };
    expect(atGraph().body?.content).toContain(graphMeeting!.join_url);
    await zoom.userDeleteMeeting(graphMeeting!.id);
    await eventually(async () => !atGraph().body?.content?.includes(graphMeeting!.join_url));
    expect(atGraph().location?.displayName).toBe('Room 5');
    // A repeated delivery finds nothing left to take off, and changes nothing.
    await zoom.sendEvent('meeting.deleted', { object: { id: graphMeeting!.id } });
    expect(deletedEvents().filter((e) => (e.data as { meetingId: string }).meetingId === String(graphMeeting!.id))).toHaveLength(1);
  }, 60_000);

  it('gives a series one Zoom series whose occurrences are Google\'s own, moves it with the series and deletes it with it', async () => {
    const title = 'Zoom weekly';
    // A Monday, 09:30 in Berlin: the rule repeats on Mondays and Wednesdays, five times.
    const monday = base + ((8 - new Date(base).getUTCDay()) % 7) * DAY;
    const created = await json<EventBody>(
      await createEvent(googleCalendarId, { title, start: iso(monday + 8.5 * HOUR), end: iso(monday + 9 * HOUR), timeZone: 'Europe/Berlin', recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=5'], conference: { provider: 'zoom' } }),
      201,
    );
    const [meeting] = meetingsTitled(title);
    expect(meetingsTitled(title)).toHaveLength(1);
    expect(meeting).toMatchObject({ type: 8, recurrence: { type: 2, weekly_days: '2,4', end_times: 5 } });
    // Two expansions written apart: the Zoom simulator's of its recurrence, the Google simulator's of the RRULE.
    const googleStarts = () =>
      sandboxSimulators
        .google!.expandedTruth(SANDBOX_GOOGLE_USER, { timeMin: new Date(monday - DAY), timeMax: new Date(monday + 30 * DAY) })
        .filter((e) => e.summary === title)
        .map((e) => iso(Date.parse(e.start!.dateTime!)));
    expect(googleStarts()).toHaveLength(5);
    expect(zoom.occurrences(meeting!.id)).toEqual(googleStarts());
    expect(googleEvent(created.providerEventId)!.location).toBe(meeting!.join_url);

    // The whole series an hour later: Zoom's series follows.
    const moved = await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}?scope=series`, { method: 'PATCH', body: JSON.stringify({ start: iso(monday + 9.5 * HOUR), end: iso(monday + 10 * HOUR) }) });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(Date.parse(googleStarts()[0]!)).toBe(monday + 9.5 * HOUR);
    expect(zoom.occurrences(meeting!.id)).toEqual(googleStarts());

    expect((await stack.api(`/v1/calendars/${googleCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(zoom.meeting(meeting!.id)).toBeNull();
  }, 60_000);

  it('gives a series Zoom cannot repeat alike (no end) a meeting with no fixed time, on Graph too, and deletes it with the series', async () => {
    const title = 'Zoom open-ended';
    const created = await json<EventBody>(
      await createEvent(microsoftCalendarId, { title, start: iso(base + 7 * HOUR), end: iso(base + 7.5 * HOUR), recurrence: ['RRULE:FREQ=WEEKLY'], conference: { provider: 'zoom' } }),
      201,
    );
    const [meeting] = meetingsTitled(title);
    expect(meeting).toMatchObject({ type: 3 });
    expect(zoom.occurrences(meeting!.id)).toEqual([]);
    const atGraph = microsoftSandbox.simulator!.getEvent(created.providerEventId) as unknown as { type?: string; body?: { content?: string } };
    expect(atGraph.type).toBe('seriesMaster');
    expect(atGraph.body?.content).toContain(meeting!.join_url);
    expect(created.conference).toMatchObject({ provider: 'zoom', url: meeting!.join_url });
    expect((await stack.api(`/v1/calendars/${microsoftCalendarId}/events/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(zoom.meeting(meeting!.id)).toBeNull();
  }, 60_000);

  it('writes the event without a link when the Zoom user is out of daily quota, and says so', async () => {
    const host = zoom.user('sandbox.host@example.com')!;
    zoom.consumeDaily(host.id, 100);
    const title = 'Zoom out of quota';
    const created = await json<EventBody>(await createEvent(googleCalendarId, { title, start: iso(base + 15 * HOUR), end: iso(base + 16 * HOUR), conference: { provider: 'zoom' } }), 201);
    expect(created.conferenceError?.code).toBe('video.quota_exhausted');
    expect(created.conference).toBeNull();
    expect(meetingsTitled(title)).toEqual([]);
    expect(googleEvent(created.providerEventId)!.location ?? null).toBeNull();
    const quotaEvents = stack.bus.published.filter((e) => e.type === 'video.quota_exhausted');
    expect(quotaEvents).not.toHaveLength(0);
    // The event write's quota refusal names no booking, in the event and in the integration log.
    expect(quotaEvents.map((e) => (e.data as { bookingId: string | null }).bookingId)).toEqual(quotaEvents.map(() => null));
    const logged = (await errorEntries()).filter((e) => e.error?.code === 'video.quota_exhausted');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ bookingId: null, summary: expect.stringMatching(/Zoom meeting of the event failed/) });
  }, 60_000);

  it('answers bad conference input with 400 naming the field, and makes no meeting', async () => {
    const times = { start: iso(base + 17 * HOUR), end: iso(base + 18 * HOUR) };
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'Bad 1', ...times, conference: { provider: 'webex' } }, 'body.conference.provider'],
      [{ title: 'Bad 2', ...times, conference: { provider: 'zoom', connectionId: 'vid_01JB3Y6M2QH9N7S5V4T0W8X1ZA' } }, 'body.conference.connectionId'],
      [{ title: 'Bad 3', ...times, conference: { provider: 'google_meet', connectionId: 'vid_01JB3Y6M2QH9N7S5V4T0W8X1ZA' } }, 'body.conference.connectionId'],
      [{ title: 'Bad 4', start: iso(base).slice(0, 10), end: iso(base + DAY).slice(0, 10), allDay: true, conference: { provider: 'zoom' } }, 'body.conference.provider'],
    ];
    for (const [body, field] of cases) {
      const problem = await json<Problem>(await createEvent(googleCalendarId, body), 400);
      expect(problem.errors?.map((e) => e.field), JSON.stringify(body)).toContain(field);
      expect(meetingsTitled(String(body.title))).toEqual([]);
    }
  }, 60_000);
});
