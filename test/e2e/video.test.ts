import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { microsoftSandbox, SANDBOX_MICROSOFT_USER } from '../../infra/local/sandbox-microsoft.ts';
import { SANDBOX_ZOOM_WEBHOOK_SECRET, zoomSandbox } from '../../infra/local/sandbox-zoom.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { SANDBOX_S2S, signedRequest, zoomSignature, type ZoomSimulator } from '../simulators/zoom/index.ts';
import { json } from '../support/json-response.ts';

/**
 * Issue 13's "Done means" on the local stack in sandbox mode: a booking type with conference zoom for a
 * Google host gets the Zoom simulator's join URL in the booking and in the Google simulator's event; a
 * reschedule moves the Zoom meeting, a cancel deletes it; the same with Meet (Google simulator) and Teams
 * (Graph simulator). Then Zoom's webhooks at /hooks/zoom, the daily quota and bad input. The simulators'
 * own state is the independent truth throughout.
 */
let stack: TestStack;
let zoom: ZoomSimulator;
let googleCalendarId: string;
let microsoftCalendarId: string;
let scheduleId: string;
let zoomConnectionId: string;
let googleSlots: { start: string; end: string }[];
let microsoftSlots: { start: string; end: string }[];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const invitee = { name: 'Vera Video', email: 'vera@example.com', timeZone: 'Europe/Berlin' };

interface BookingBody {
  id: string;
  status: string;
  start: string;
  end: string;
  conference: { provider: string; joinUrl: string | null; movedInProvider?: { start: string; end: string | null } };
  providerEvents: { calendarId: string; eventId: string }[];
}

const videoEvents = (type: string, bookingId: string) => stack.bus.published.filter((e: DomainEvent) => e.type === type && (e.data as { bookingId?: string }).bookingId === bookingId);

async function connectOAuth(provider: 'google' | 'microsoft'): Promise<string> {
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: '{}' }), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  return calendars.find((c) => c.isPrimary)!.id;
}

async function bookingType(name: string, conference: string, calendarId: string, video?: { connectionId: string; userId?: string }): Promise<string> {
  const body = { name, durationMinutes: 30, assignment: 'collective', conference, hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId, ...(video ? { video } : {}) }] };
  return (await json<{ id: string }>(await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify(body) }), 201)).id;
}

/** Free slots of one day well clear of the sandboxes' seeded events. */
async function slotsOf(typeId: string): Promise<{ start: string; end: string }[]> {
  const from = Math.floor(Date.now() / DAY) * DAY + 12 * DAY;
  const day = (await json<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${typeId}/slots?start=${iso(from)}&end=${iso(from + DAY)}`), 200)).slots;
  expect(day.length).toBeGreaterThan(20);
  return day;
}

const book = async (bookingTypeId: string, start: string, notes?: string) => json<BookingBody>(await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId, start, invitee, ...(notes ? { notes } : {}) }) }), 201);
const reschedule = async (id: string, start: string) => json<BookingBody>(await stack.api(`/v1/bookings/${id}/reschedule`, { method: 'POST', body: JSON.stringify({ start }) }), 200);
const cancel = async (id: string) => json<BookingBody>(await stack.api(`/v1/bookings/${id}/cancel`, { method: 'POST', body: '{}' }), 200);
const getBooking = async (id: string) => json<BookingBody>(await stack.api(`/v1/bookings/${id}`), 200);
const googleEvent = (providerEventId: string) => sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).find((e) => e.id === providerEventId && e.status !== 'cancelled');
/** The Google id of a booking's event, found at the simulator by its title and time. */
const googleEventIdOf = (title: string, start: string) =>
  sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).find((e) => e.summary === title && e.status !== 'cancelled' && Date.parse(e.start?.dateTime ?? '') === Date.parse(start))!.id;
const zoomMeetingOf = (joinUrl: string | null) => zoom.meetings().find((m) => m.join_url === joinUrl) ?? null;

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_API_URL', 'ZOOM_WEBHOOK_SECRET_TOKEN']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  zoom = zoomSandbox.simulator!;
  expect(stack.sandbox.running.zoom).toContain('sandbox-account');
  googleCalendarId = await connectOAuth('google');
  microsoftCalendarId = await connectOAuth('microsoft');
  scheduleId = (
    await json<{ id: string }>(
      await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
      201,
    )
  ).id;
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('Zoom connections (sandbox Zoom simulator)', () => {
  it('refuses wrong Server-to-Server credentials at connect with a 400 naming the fields, then connects the sandbox app', async () => {
    const wrong = await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify({ ...SANDBOX_S2S, clientSecret: 'not-the-secret' }) });
    const problem = await json<{ code: string; errors: { field: string }[] }>(wrong, 400);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.code).toBe('input.invalid');
    expect(problem.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['body.accountId', 'body.clientId', 'body.clientSecret']));
    const missing = await json<{ errors: { field: string }[] }>(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify({ accountId: SANDBOX_S2S.accountId }) }), 400);
    expect(missing.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['body.clientId', 'body.clientSecret']));

    const connected = await json<{ id: string; kind: string; userEmail: string; quota: { used: number; left: number; limit: number } }>(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify(SANDBOX_S2S) }), 201);
    expect(connected).toMatchObject({ kind: 's2s', userEmail: 'sandbox.host@example.com', quota: { used: 0, left: 100, limit: 100 } });
    expect(JSON.stringify(connected)).not.toContain(SANDBOX_S2S.clientSecret);
    zoomConnectionId = connected.id;
    // Connecting the same app again keeps the connection.
    expect((await json<{ id: string }>(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify(SANDBOX_S2S) }), 200)).id).toBe(zoomConnectionId);
    const read = await json<{ id: string; quota: { left: number } }>(await stack.api(`/v1/connections/zoom/${zoomConnectionId}`), 200);
    expect(read).toMatchObject({ id: zoomConnectionId, quota: { left: 100 } });
    expect((await stack.api(`/v1/connections/zoom/${zoomConnectionId}`, { token: await stack.tokenFor('other-tenant') })).status).toBe(404);
  });

  it('connects a Zoom user through the user-level OAuth app (PKCE) on the static route, not /v1/connections/{provider}/authorize', async () => {
    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/zoom/authorize', { method: 'POST', body: '{}' }), 200);
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(new URL(zoom.endpoints.oauthUrl).origin);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.url}/v1/oauth/zoom/callback`);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const callbackUrl = consent.headers.get('location')!;
    const connected = await json<{ status: string; connection: { kind: string; userEmail: string } }>(await fetch(callbackUrl, { redirect: 'manual' }), 200);
    expect(connected).toMatchObject({ status: 'connected', connection: { kind: 'user', userEmail: 'sandbox.host@example.com' } });
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(400);
  });
});

describe('video links on bookings, kept in step', () => {
  let zoomTypeId: string;
  let meetTypeId: string;
  let teamsTypeId: string;

  beforeAll(async () => {
    zoomTypeId = await bookingType('Zoom intro', 'zoom', googleCalendarId, { connectionId: zoomConnectionId });
    meetTypeId = await bookingType('Meet intro', 'google_meet', googleCalendarId);
    teamsTypeId = await bookingType('Teams intro', 'microsoft_teams', microsoftCalendarId);
    googleSlots = await slotsOf(zoomTypeId);
    microsoftSlots = await slotsOf(teamsTypeId);
  }, 60_000);

  it('zoom: the join URL in the booking and in the Google event; reschedule moves the Zoom meeting; cancel deletes it', async () => {
    const booking = await book(zoomTypeId, googleSlots[0]!.start);
    const meeting = zoomMeetingOf(booking.conference.joinUrl);
    expect(booking.conference.provider).toBe('zoom');
    expect(meeting, 'the booking has the Zoom simulator meeting join URL').not.toBeNull();
    expect(Date.parse(meeting!.start_time)).toBe(Date.parse(googleSlots[0]!.start));
    expect(meeting).toMatchObject({ duration: 30, settings: { waiting_room: true, join_before_host: false } });
    const googleId = googleEventIdOf('Zoom intro: Vera Video', googleSlots[0]!.start);
    const event = googleEvent(googleId)!;
    expect(event.location).toBe(meeting!.join_url);
    expect(event.description).toContain(meeting!.join_url);
    expect(videoEvents('video.meeting.created', booking.id)).toHaveLength(1);

    const moved = await reschedule(booking.id, googleSlots[4]!.start);
    expect(moved.conference.joinUrl).toBe(meeting!.join_url);
    expect(Date.parse(zoom.meeting(meeting!.id)!.start_time)).toBe(Date.parse(googleSlots[4]!.start));
    expect(Date.parse(googleEvent(googleId)!.start!.dateTime!)).toBe(Date.parse(googleSlots[4]!.start));
    expect(googleEvent(googleId)!.location).toBe(meeting!.join_url);
    expect(videoEvents('video.meeting.updated', booking.id)).toHaveLength(1);

    await cancel(booking.id);
    expect(zoom.meeting(meeting!.id)).toBeNull();
    expect(googleEvent(googleId)).toBeUndefined();
    expect(videoEvents('video.meeting.deleted', booking.id)).toMatchObject([{ data: { meetingId: String(meeting!.id), source: 'api' } }]);
  }, 60_000);

  it('zoom: a recurring booking gets one Zoom series with the booking\'s own occurrences; reschedule moves them all, cancel deletes it', async () => {
    const body = { name: 'Zoom weekly', durationMinutes: 30, assignment: 'collective', conference: 'zoom', recurrence: { allowed: true, maxOccurrences: 6 }, hosts: [{ calendarIds: [googleCalendarId], scheduleId, writeCalendarId: googleCalendarId, video: { connectionId: zoomConnectionId } }] };
    const typeId = (await json<{ id: string }>(await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify(body) }), 201)).id;
    const request = { bookingTypeId: typeId, start: googleSlots[45]!.start, invitee, recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4' } };
    const booking = await json<BookingBody & { occurrences: { start: string }[] }>(await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify(request) }), 201);
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    expect(meeting).toMatchObject({ type: 8, recurrence: { type: 2, repeat_interval: 1, end_times: 4 } });
    // The Zoom simulator's own expansion of its recurrence against the booking's occurrences.
    const starts = (list: { start: string }[]) => list.map((o) => new Date(Date.parse(o.start)).toISOString().replace('.000Z', 'Z'));
    expect(zoom.occurrences(meeting.id)).toEqual(starts(booking.occurrences));

    const moved = await json<BookingBody & { occurrences: { start: string }[] }>(await stack.api(`/v1/bookings/${booking.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: googleSlots[47]!.start }) }), 200);
    expect(zoom.occurrences(meeting.id)).toEqual(starts(moved.occurrences));
    expect(Date.parse(zoom.occurrences(meeting.id)[0]!)).toBe(Date.parse(googleSlots[47]!.start));

    await cancel(booking.id);
    expect(zoom.meeting(meeting.id)).toBeNull();
  }, 60_000);

  it('zoom: the host moving or deleting the booking event in Google moves or deletes the Zoom meeting too', async () => {
    const booking = await book(zoomTypeId, googleSlots[30]!.start);
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    const googleId = googleEventIdOf('Zoom intro: Vera Video', googleSlots[30]!.start);
    const google = sandboxSimulators.google!;
    const movedStart = Date.parse(googleSlots[34]!.start);
    google.patchEvent(SANDBOX_GOOGLE_USER, googleId, { start: { dateTime: iso(movedStart) }, end: { dateTime: iso(movedStart + 30 * 60_000) } });
    await eventually(async () => (Date.parse(zoom.meeting(meeting.id)?.start_time ?? '') === movedStart ? true : null), 30_000);
    expect(Date.parse((await getBooking(booking.id)).start)).toBe(movedStart);
    // Zoom has the new time before the consumer publishes the event that says so: wait for it, then exactly one.
    await eventually(async () => (videoEvents('video.meeting.updated', booking.id).length > 0 ? true : null), 10_000);
    expect(videoEvents('video.meeting.updated', booking.id)).toHaveLength(1);
    google.deleteEvent(SANDBOX_GOOGLE_USER, googleId);
    await eventually(async () => (zoom.meeting(meeting.id) === null ? true : null), 30_000);
    await eventually(async () => ((await getBooking(booking.id)).status === 'cancelled' && videoEvents('video.meeting.deleted', booking.id).length > 0 ? true : null), 10_000);
    expect(videoEvents('video.meeting.deleted', booking.id)).toHaveLength(1);
  }, 90_000);

  it('google_meet: the Meet link (pending at create, read back) in the booking; it stays through a reschedule of the same event', async () => {
    const booking = await book(meetTypeId, googleSlots[8]!.start);
    expect(booking.conference.provider).toBe('google_meet');
    const googleId = googleEventIdOf('Meet intro: Vera Video', googleSlots[8]!.start);
    const event = googleEvent(googleId)!;
    expect(event.hangoutLink).toBeTruthy();
    expect(booking.conference.joinUrl).toBe(event.hangoutLink);
    const moved = await reschedule(booking.id, googleSlots[12]!.start);
    const after = googleEvent(googleId)!;
    expect(Date.parse(after.start!.dateTime!)).toBe(Date.parse(googleSlots[12]!.start));
    expect(after.hangoutLink).toBe(event.hangoutLink);
    expect(moved.conference.joinUrl).toBe(event.hangoutLink);
    await cancel(booking.id);
    expect(googleEvent(googleId)).toBeUndefined();
  }, 60_000);

  it('microsoft_teams: the Teams join URL from the Graph event in the booking; it stays through a reschedule of the same event', async () => {
    const graph = microsoftSandbox.simulator!;
    const mailboxCalendar = graph.user(SANDBOX_MICROSOFT_USER).defaultCalendarId;
    type GraphEventView = { id: string; start: { dateTime: string }; onlineMeeting?: { joinUrl: string } | null };
    const graphEvent = (eventId: string) => (graph.truth(mailboxCalendar, Date.now() - DAY, Date.now() + 60 * DAY) as unknown as GraphEventView[]).find((e) => e.id === eventId);
    const booking = await book(teamsTypeId, microsoftSlots[2]!.start);
    expect(booking.conference.provider).toBe('microsoft_teams');
    const providerEventId = graph.truth(mailboxCalendar, Date.now(), Date.now() + 60 * DAY).find((e) => e.subject === 'Teams intro: Vera Video')!.id;
    const event = graphEvent(providerEventId)!;
    expect(event.onlineMeeting?.joinUrl).toBeTruthy();
    expect(booking.conference.joinUrl).toBe(event.onlineMeeting!.joinUrl);
    const moved = await reschedule(booking.id, microsoftSlots[6]!.start);
    const after = graphEvent(providerEventId)!;
    expect(Date.parse(`${after.start.dateTime.slice(0, 19)}Z`)).toBe(Date.parse(microsoftSlots[6]!.start));
    expect(after.onlineMeeting?.joinUrl).toBe(event.onlineMeeting!.joinUrl);
    expect(moved.conference.joinUrl).toBe(event.onlineMeeting!.joinUrl);
    await cancel(booking.id);
  }, 60_000);

  it('quota: the 101st Zoom create of the day for one Zoom user makes the booking without a link, evented as video.quota_exhausted', async () => {
    const busy = zoom.addUser({ email: 'busy.host@example.com', accountId: SANDBOX_S2S.accountId });
    const busyTypeId = await bookingType('Busy Zoom', 'zoom', googleCalendarId, { connectionId: zoomConnectionId, userId: busy.id });
    // 99 creates used earlier today; the booking below makes the 100th, the next one is the 101st.
    zoom.consumeDaily(busy.id, 99);
    const hundredth = await book(busyTypeId, googleSlots[16]!.start);
    expect(zoomMeetingOf(hundredth.conference.joinUrl)?.host_id).toBe(busy.id);
    const over = await book(busyTypeId, googleSlots[18]!.start);
    expect(over).toMatchObject({ status: 'confirmed', conference: { provider: 'zoom', joinUrl: null } });
    expect(zoom.meetings(busy.id)).toHaveLength(1);
    expect(zoom.dailyUsage(busy.id)).toBe(100);
    expect(videoEvents('video.quota_exhausted', over.id)).toMatchObject([{ data: { provider: 'zoom', zoomUserId: busy.id, limit: 100, connectionId: zoomConnectionId } }]);
    // The provider event exists all the same, without a Zoom link.
    expect(googleEvent(googleEventIdOf('Busy Zoom: Vera Video', googleSlots[18]!.start))?.location ?? null).toBeNull();
  }, 60_000);

  it('bad input: an unknown conference provider is a 400 naming the field, on booking types and on event writes', async () => {
    const type = await json<{ errors: { field: string }[] }>(
      await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Webex', durationMinutes: 30, assignment: 'collective', conference: 'webex', hosts: [{ calendarIds: [googleCalendarId], scheduleId, writeCalendarId: googleCalendarId }] }) }),
      400,
    );
    expect(type.errors.map((e) => e.field)).toContain('body.conference');
    const event = await json<{ errors: { field: string }[] }>(
      await stack.api(`/v1/calendars/${googleCalendarId}/events`, { method: 'POST', body: JSON.stringify({ title: 'x', start: googleSlots[20]!.start, end: googleSlots[20]!.end, conference: { provider: 'webex' } }) }),
      400,
    );
    expect(event.errors.map((e) => e.field)).toContain('body.conference.provider');
  });
});

describe('Zoom webhooks at POST /hooks/zoom', () => {
  const hook = (request: { headers: Record<string, string>; body: string }) => fetch(`${stack.url}/hooks/zoom`, { method: 'POST', headers: request.headers, body: request.body });
  let zoomTypeId: string;

  beforeAll(async () => {
    zoomTypeId = await bookingType('Zoom hooks', 'zoom', googleCalendarId, { connectionId: zoomConnectionId });
  });

  it('answers the endpoint.url_validation challenge as Zoom checks it', async () => {
    const answer = await zoom.validateEndpoint();
    expect(answer).toMatchObject({ ok: true, status: 200 });
  });

  it('rejects a wrong signature, an old timestamp and a malformed body with 401/400 and no side effect', async () => {
    const booking = await book(zoomTypeId, googleSlots[22]!.start);
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    const payload = { account_id: SANDBOX_S2S.accountId, object: { id: meeting.id, uuid: meeting.uuid, host_id: meeting.host_id } };
    // Only video and booking events could come from a webhook (the booking's own calendar sync keeps publishing meanwhile).
    const fromWebhooks = () => stack.bus.published.filter((e) => e.type.startsWith('video.') || e.type.startsWith('booking.')).length;
    const before = fromWebhooks();
    const wrong = signedRequest('not-the-secret', 'meeting.deleted', payload, Date.now());
    const old = signedRequest(SANDBOX_ZOOM_WEBHOOK_SECRET, 'meeting.deleted', payload, Date.now() - 6 * 60_000);
    const valid = signedRequest(SANDBOX_ZOOM_WEBHOOK_SECRET, 'meeting.deleted', payload, Date.now());
    const tampered = { headers: valid.headers, body: valid.body.replace('meeting.deleted', 'meeting.deleted ') };
    const unsigned = { headers: { 'content-type': 'application/json' }, body: valid.body };
    const malformedBody = '{"event":"meeting.deleted","payload":';
    const malformed = signedRequest(SANDBOX_ZOOM_WEBHOOK_SECRET, 'x', {}, Date.now());
    const malformedRequest = { headers: { ...malformed.headers, 'x-zm-signature': zoomSignature(SANDBOX_ZOOM_WEBHOOK_SECRET, Number(malformed.headers['x-zm-request-timestamp']), malformedBody) }, body: malformedBody };
    const statuses = [];
    for (const request of [wrong, old, tampered, unsigned, malformedRequest]) {
      const response = await hook(request);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 400]);
    expect(fromWebhooks()).toBe(before);
    expect(zoom.meeting(meeting.id)).not.toBeNull();
    expect((await getBooking(booking.id)).conference.joinUrl).toBe(meeting.join_url);
  }, 60_000);

  it('meeting.updated done in Zoom flags the booking time; meeting.deleted removes the link; both emit video.meeting.*', async () => {
    const booking = await book(zoomTypeId, googleSlots[26]!.start);
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    const elsewhere = iso(Date.parse(googleSlots[26]!.start) + 3 * 3_600_000);
    await zoom.userUpdateMeeting(meeting.id, { start_time: elsewhere });
    expect(zoom.webhookLog.at(-1)).toMatchObject({ event: 'meeting.updated', status: 200 });
    const flagged = await getBooking(booking.id);
    expect(flagged.start).toBe(booking.start);
    expect(Date.parse(flagged.conference.movedInProvider!.start)).toBe(Date.parse(elsewhere));
    expect(videoEvents('video.meeting.updated', booking.id)).toMatchObject([{ data: { source: 'provider', meetingId: String(meeting.id) } }]);

    // Rescheduling through the API puts the meeting back in step and clears the flag.
    const moved = await reschedule(booking.id, googleSlots[28]!.start);
    expect(moved.conference.movedInProvider).toBeUndefined();
    expect(Date.parse(zoom.meeting(meeting.id)!.start_time)).toBe(Date.parse(googleSlots[28]!.start));

    await zoom.userDeleteMeeting(meeting.id);
    expect(zoom.webhookLog.at(-1)).toMatchObject({ event: 'meeting.deleted', status: 200 });
    const unlinked = await getBooking(booking.id);
    expect(unlinked).toMatchObject({ status: 'confirmed', conference: { provider: 'zoom', joinUrl: null } });
    expect(videoEvents('video.meeting.deleted', booking.id)).toMatchObject([{ data: { source: 'provider', joinUrl: null } }]);
    // A repeat of the delivery finds nothing left to do.
    await zoom.sendEvent('meeting.deleted', { object: { id: meeting.id } });
    expect(videoEvents('video.meeting.deleted', booking.id)).toHaveLength(1);
    // Cancelling the booking now has no Zoom meeting to delete, and still cancels.
    expect((await cancel(booking.id)).status).toBe('cancelled');
  }, 60_000);
});

describe('a meeting deleted in Zoom leaves no dead link on the calendar event', () => {
  it('Google: location cleared, our Join Zoom line gone; the notes, the booking line and the host\'s own text with the URL stay', async () => {
    const typeId = await bookingType('Zoom gone G', 'zoom', googleCalendarId, { connectionId: zoomConnectionId });
    const booking = await book(typeId, googleSlots[36]!.start, 'bring the slides');
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    const googleId = googleEventIdOf('Zoom gone G: Vera Video', googleSlots[36]!.start);
    const written = googleEvent(googleId)!;
    expect(written.location).toBe(meeting.join_url);
    // The host adds their own line with the same URL in Google: it is theirs, and stays.
    const own = `Host: recording link ${meeting.join_url}`;
    sandboxSimulators.google!.patchEvent(SANDBOX_GOOGLE_USER, googleId, { description: `${written.description}\n\n${own}` });
    await zoom.userDeleteMeeting(meeting.id);
    expect((await getBooking(booking.id)).conference.joinUrl).toBeNull();
    const cleaned = await eventually(async () => {
      const event = googleEvent(googleId);
      return event && !event.location && !event.description?.includes(`Join Zoom: ${meeting.join_url}`) ? event : null;
    }, 30_000);
    expect(cleaned.description).toBe(`Notes from Vera Video: bring the slides\n\nBooking ${booking.id}\n\n${own}`);
    expect(cleaned.conferenceData ?? null).toBeNull();
    // Still the booking's event, at its time.
    expect(Date.parse(cleaned.start!.dateTime!)).toBe(Date.parse(googleSlots[36]!.start));
    expect((await getBooking(booking.id)).status).toBe('confirmed');
  }, 60_000);

  it('Microsoft 365: the Graph event loses the join URL from location and body too', async () => {
    const graph = microsoftSandbox.simulator!;
    const mailboxCalendar = graph.user(SANDBOX_MICROSOFT_USER).defaultCalendarId;
    type GraphView = { id: string; subject: string; location: { displayName: string }; body: { content: string } };
    const graphEvents = () => graph.truth(mailboxCalendar, Date.now(), Date.now() + 60 * DAY) as unknown as GraphView[];
    const typeId = await bookingType('Zoom gone M', 'zoom', microsoftCalendarId, { connectionId: zoomConnectionId });
    const booking = await book(typeId, microsoftSlots[10]!.start);
    const meeting = zoomMeetingOf(booking.conference.joinUrl)!;
    const written = graphEvents().find((e) => e.subject === 'Zoom gone M: Vera Video')!;
    expect(written.location.displayName).toBe(meeting.join_url);
    expect(written.body.content).toContain(meeting.join_url);
    await zoom.userDeleteMeeting(meeting.id);
    const cleaned = await eventually(async () => {
      const event = graphEvents().find((e) => e.id === written.id);
      return event && event.location.displayName === '' && !event.body.content.includes(meeting.join_url) ? event : null;
    }, 30_000);
    expect(cleaned.body.content).toContain(`Booking ${booking.id}`);
  }, 60_000);
});

describe('managing Zoom connections: list, per-user quota, disconnect', () => {
  type QuotaView = { day: string; limitPerUserPerDay: number; users: { userId: string; used: number; remaining: number }[]; userId: string; used: number; left: number };
  type ZoomView = { id: string; kind: string; status: string; quota: QuotaView };

  it('lists the tenant\'s Zoom connections in pages, without secrets, and nothing of another tenant', async () => {
    const first = await json<{ items: ZoomView[]; nextCursor: string | null }>(await stack.api('/v1/connections/zoom?limit=1'), 200);
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await json<{ items: ZoomView[]; nextCursor: string | null }>(await stack.api(`/v1/connections/zoom?limit=50&cursor=${first.nextCursor}`), 200);
    const all = [...first.items, ...second.items];
    // The S2S app and the user grant connected at the start.
    expect(all.map((c) => c.kind).sort()).toEqual(['s2s', 'user']);
    expect(all.map((c) => c.id)).toContain(zoomConnectionId);
    expect(JSON.stringify(all)).not.toContain(SANDBOX_S2S.clientSecret);
    expect(JSON.stringify(all)).not.toMatch(/accessToken|refreshToken|clientSecret|sealed/);
    const other = await json<{ items: ZoomView[] }>(await stack.api('/v1/connections/zoom', { token: await stack.tokenFor('other-tenant') }), 200);
    expect(other.items).toEqual([]);
    expect((await stack.api('/v1/connections/zoom?cursor=%%%')).status).toBe(400);
  });

  it('meetings for two Zoom users: both listed with the counts the Zoom simulator itself recorded, on the list, the get and the health summary', async () => {
    const ann = zoom.addUser({ email: 'ann.host@example.com', accountId: SANDBOX_S2S.accountId });
    const ben = zoom.addUser({ email: 'ben.host@example.com', accountId: SANDBOX_S2S.accountId });
    const annType = await bookingType('Ann Zoom', 'zoom', googleCalendarId, { connectionId: zoomConnectionId, userId: ann.id });
    const benType = await bookingType('Ben Zoom', 'zoom', googleCalendarId, { connectionId: zoomConnectionId, userId: ben.id });
    await book(annType, googleSlots[40]!.start);
    await book(annType, googleSlots[42]!.start);
    const benBooking = await book(benType, googleSlots[44]!.start);
    await reschedule(benBooking.id, googleSlots[46]!.start);
    // The oracle: the simulator's own count of each user's creates and updates today, and its request log.
    const creates = (userId: string) => zoom.requestLog().filter((r) => r.method === 'POST' && r.path === `/v2/users/${userId}/meetings` && r.status === 201).length;
    expect([creates(ann.id), creates(ben.id)]).toEqual([2, 1]);
    const expected = [
      { userId: ann.id, used: zoom.dailyUsage(ann.id), remaining: 100 - zoom.dailyUsage(ann.id) },
      { userId: ben.id, used: zoom.dailyUsage(ben.id), remaining: 100 - zoom.dailyUsage(ben.id) },
    ];
    expect(expected.map((u) => u.used)).toEqual([2, 2]);

    const read = await json<ZoomView>(await stack.api(`/v1/connections/zoom/${zoomConnectionId}`), 200);
    expect(read.quota.limitPerUserPerDay).toBe(100);
    expect(read.quota.users).toEqual(expect.arrayContaining(expected));
    // The default host first, and the old fields are its.
    expect(read.quota.users[0]!.userId).toBe(read.quota.userId);
    expect(read.quota.users[0]!.used).toBe(read.quota.used);
    const listed = (await json<{ items: ZoomView[] }>(await stack.api('/v1/connections/zoom'), 200)).items.find((c) => c.id === zoomConnectionId)!;
    expect(listed.quota.users).toEqual(read.quota.users);
    const health = await json<{ videoConnections: { id: string; quota: QuotaView }[] }>(await stack.api('/v1/health/integrations'), 200);
    expect(health.videoConnections.find((v) => v.id === zoomConnectionId)!.quota.users).toEqual(read.quota.users);
  }, 90_000);

  it('disconnect: gone from the list and 404 after; a booking type still naming it is refused with 409 video.connection_missing, nothing booked', async () => {
    const spare = zoom.addUser({ email: 'spare.host@example.com', accountId: SANDBOX_S2S.accountId });
    const connected = await json<ZoomView>(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify({ ...SANDBOX_S2S, userId: spare.email }) }), 201);
    const typeId = await bookingType('Spare Zoom', 'zoom', googleCalendarId, { connectionId: connected.id });
    // A booking made before the disconnect keeps its link; moving and cancelling it later still work.
    const earlier = await book(typeId, googleSlots[32]!.start);
    const earlierMeeting = zoomMeetingOf(earlier.conference.joinUrl)!;
    expect(earlierMeeting.host_id).toBe(spare.id);
    expect((await stack.api(`/v1/connections/zoom/${connected.id}`, { method: 'DELETE', token: await stack.tokenFor('other-tenant') })).status).toBe(404);
    expect((await stack.api(`/v1/connections/zoom/${connected.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await stack.api(`/v1/connections/zoom/${connected.id}`)).status).toBe(404);
    expect((await stack.api(`/v1/connections/zoom/${connected.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await json<{ items: ZoomView[] }>(await stack.api('/v1/connections/zoom'), 200)).items.map((c) => c.id)).not.toContain(connected.id);

    const meetingsBefore = zoom.meetings().length;
    const refused = await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: typeId, start: googleSlots[38]!.start, invitee }) });
    const problem = await json<{ code: string; detail: string }>(refused, 409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.code).toBe('video.connection_missing');
    expect(problem.detail).toContain(connected.id);
    expect(zoom.meetings().length).toBe(meetingsBefore);
    // No event was written and the time is still free: the same slot books on a type with a live connection.
    expect(sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).some((e) => e.summary === 'Spare Zoom: Vera Video' && e.status !== 'cancelled' && Date.parse(e.start?.dateTime ?? '') === Date.parse(googleSlots[38]!.start))).toBe(false);
    const liveType = await bookingType('Live Zoom', 'zoom', googleCalendarId, { connectionId: zoomConnectionId });
    expect((await book(liveType, googleSlots[38]!.start)).status).toBe('confirmed');

    // The earlier booking: rescheduled and cancelled as usual; its Zoom meeting, out of reach now, stays at Zoom.
    expect((await reschedule(earlier.id, googleSlots[24]!.start)).start).toBe(googleSlots[24]!.start);
    expect((await cancel(earlier.id)).status).toBe('cancelled');
    expect(zoom.meeting(earlierMeeting.id)).not.toBeNull();
  }, 60_000);

  it('disconnecting the user-level connection revokes its grant at Zoom; the S2S disconnect above revoked nothing', async () => {
    const user = (await json<{ items: (ZoomView & { userId: string })[] }>(await stack.api('/v1/connections/zoom'), 200)).items.find((c) => c.kind === 'user')!;
    const revokes = () => zoom.requestLog().filter((r) => r.method === 'POST' && r.path === '/oauth/revoke');
    // Only the S2S connections were disconnected so far: no revoke reached Zoom.
    expect(revokes()).toEqual([]);
    const grantsBefore = zoom.userGrants(user.userId);
    expect(grantsBefore).toBeGreaterThan(0);
    expect((await stack.api(`/v1/connections/zoom/${user.id}`, { method: 'DELETE' })).status).toBe(204);
    // The oracle: the simulator's own grants of that Zoom user, and its request log.
    expect(revokes().map((r) => r.status)).toEqual([200]);
    expect(zoom.userGrants(user.userId)).toBe(grantsBefore - 1);
    expect((await stack.api(`/v1/connections/zoom/${user.id}`)).status).toBe(404);
  });
});
