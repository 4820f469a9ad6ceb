import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import type { OutboxMessage } from '../../shared/notify/outbox.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * Reminders and booking.completed through the local stack (issue 14 item 3, issue 12 item 3): a booking
 * made through the API gets its timers from the booking-schedules consumer (in-process scheduler), and
 * moving the local clock ahead (POST /local/clock) fires booking.reminder_due at the reminder's time and
 * booking.completed at the end — once each, none for a cancelled booking or a reminder already past.
 */
let stack: TestStack;
let bookingTypeId: string;
let slots: { start: string; end: string }[];
const published: DomainEvent[] = [];
const DAY = 86_400_000;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const invitee = { name: 'Rita Reminded', email: 'rita@example.com', timeZone: 'Europe/Berlin' };

const post = (path: string, body: unknown) => stack.api(path, { method: 'POST', body: JSON.stringify(body) });
const bookingIdOf = (event: DomainEvent) => (event.data as { booking: { id: string } }).booking.id;
const eventsOf = (type: string, bookingId: string) => published.filter((event) => event.type === type && bookingIdOf(event) === bookingId);

interface Timers {
  now: string;
  items: { name: string; at: string; payload: { bookingId: string; kind: string } }[];
}
const timersOf = async (bookingId: string) => (await json<Timers>(await stack.api('/local/timers'), 200)).items.filter((t) => t.payload.bookingId === bookingId);

/** Moves the local clock so it reads `targetMs` (plus a few seconds), firing what became due. */
async function advanceTo(targetMs: number): Promise<void> {
  const { now } = await json<{ now: string }>(await stack.api('/local/clock'), 200);
  const seconds = Math.max(0, Math.ceil((targetMs - Date.parse(now)) / 1000));
  await json(await post('/local/clock', { advanceSeconds: seconds }), 200);
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  stack.bus.subscribe((event) => {
    if (event.type.startsWith('booking.')) published.push(event);
  });
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await post('/v1/connections/google/authorize', {}), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  const calendarId = calendars.find((c) => c.isPrimary)!.id;
  const schedule = await json<{ id: string }>(await post('/v1/schedules', { name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }), 201);
  bookingTypeId = (
    await json<{ id: string }>(
      await post('/v1/booking-types', {
        name: 'Reminded call',
        durationMinutes: 30,
        assignment: 'collective',
        hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }],
        // 60 min before (fires), and 10 days before: already past for a booking two days out (skipped).
        reminders: [
          { minutesBefore: 60, channels: ['email', 'sms'], to: 'invitee' },
          { minutesBefore: 10 * 1440, channels: ['email'], to: 'all' },
        ],
      }),
      201,
    )
  ).id;
  const from = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  const week = (await json<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?start=${iso(from)}&end=${iso(from + 5 * DAY)}`), 200)).slots;
  const byDay = Map.groupBy(week, (slot) => slot.start.slice(0, 10));
  slots = [...byDay.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  expect(slots.length).toBeGreaterThan(16);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('booking reminders on the local stack', () => {
  it('follows the calendar: the host moving the event in Google moves the timers, deleting it deletes them', async () => {
    const created = await json<{ id: string; providerEvents: { eventId: string }[] }>(await post('/v1/bookings', { bookingTypeId, start: slots[14]!.start, invitee }), 201);
    await eventually(async () => (await timersOf(created.id)).length === 2, 30_000);
    const google = sandboxSimulators.google!;
    const providerEvent = google.truth(SANDBOX_GOOGLE_USER).find((e) => e.status !== 'cancelled' && e.start?.dateTime && Date.parse(e.start.dateTime) === Date.parse(slots[14]!.start))!;
    const movedStart = Date.parse(slots[16]!.start);
    google.patchEvent(SANDBOX_GOOGLE_USER, providerEvent.id, { start: { dateTime: iso(movedStart) }, end: { dateTime: iso(movedStart + 30 * MIN) } });
    await eventually(async () => published.find((e) => e.type === 'booking.rescheduled' && bookingIdOf(e) === created.id && (e.data as { source: string }).source === 'calendar'), 30_000);
    const moved = await eventually(async () => {
      const list = await timersOf(created.id);
      return list.length === 2 && Date.parse(list[0]!.at) === movedStart - 60 * MIN ? list : null;
    }, 30_000);
    expect(moved.map((t) => Date.parse(t.at))).toEqual([movedStart - 60 * MIN, movedStart + 30 * MIN]);

    google.deleteEvent(SANDBOX_GOOGLE_USER, providerEvent.id);
    await eventually(async () => published.find((e) => e.type === 'booking.cancelled' && bookingIdOf(e) === created.id), 30_000);
    await eventually(async () => (await timersOf(created.id)).length === 0, 30_000);
  }, 120_000);

  it('a booking with a reminder gets booking.reminder_due at its time and booking.completed at its end, once; moved and cancelled bookings follow', async () => {
    const kept = await json<{ id: string; start: string; end: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[0]!.start, invitee }), 201);
    const moved = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[4]!.start, invitee }), 201);
    const cancelled = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[6]!.start, invitee }), 201);
    await json(await post(`/v1/bookings/${moved.id}/reschedule`, { start: slots[12]!.start }), 200);
    await json(await post(`/v1/bookings/${cancelled.id}/cancel`, {}), 200);

    // The consumer sets the timers: the 60-minute reminder and the end; the 10-day one had passed.
    const keptStart = Date.parse(kept.start);
    const keptEnd = Date.parse(kept.end);
    const timers = await eventually(async () => {
      const list = await timersOf(kept.id);
      return list.length === 2 ? list : null;
    }, 30_000);
    expect(timers.map((t) => [t.payload.kind, Date.parse(t.at)])).toEqual([
      ['reminder', keptStart - 60 * MIN],
      ['completed', keptEnd],
    ]);
    const movedStart = Date.parse(slots[12]!.start);
    await eventually(async () => {
      const list = await timersOf(moved.id);
      return list.length === 2 && Date.parse(list[0]!.at) === movedStart - 60 * MIN ? list : null;
    }, 30_000);
    await eventually(async () => (await timersOf(cancelled.id)).length === 0, 30_000);

    // Nothing before its time.
    await advanceTo(keptStart - 61 * MIN);
    expect(eventsOf('booking.reminder_due', kept.id)).toEqual([]);

    // At its time: one booking.reminder_due, within 60 s (of the local clock).
    await advanceTo(keptStart - 60 * MIN + 5_000);
    const due = eventsOf('booking.reminder_due', kept.id);
    expect(due).toHaveLength(1);
    expect(due[0]!.data).toMatchObject({ minutesBefore: 60, channels: ['email', 'sms'], to: 'invitee', booking: { id: kept.id, invitee: { email: invitee.email } }, occurrence: { index: 0 } });
    const delay = Date.parse(due[0]!.time) - (keptStart - 60 * MIN);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(60_000);
    // ...and the reminder itself reaches the invitee: one email in the outbox (and the local SES), listed as sent.
    const outbox = async () => (await json<{ items: OutboxMessage[] }>(await fetch(`${stack.url}/local/outbox?channel=email`), 200)).items;
    const reminderMails = await eventually(async () => {
      const found = (await outbox()).filter((message) => message.recipient === invitee.email && message.subject?.startsWith('Reminder: Reminded call'));
      return found.length > 0 ? found : null;
    }, 30_000);
    expect(reminderMails).toHaveLength(1);
    const sentLog = (await json<{ items: { channel: string; status: string; triggerEventType: string }[] }>(await stack.api(`/v1/notifications?bookingId=${kept.id}`), 200)).items;
    expect(sentLog.filter((n) => n.triggerEventType === 'booking.reminder_due')).toEqual([expect.objectContaining({ channel: 'email', status: 'sent' })]);

    // The cancelled booking's and the moved booking's old reminder times pass silently; the moved one fires at its new time.
    await advanceTo(Date.parse(slots[6]!.start) + 5_000);
    expect(eventsOf('booking.reminder_due', cancelled.id)).toEqual([]);
    expect(eventsOf('booking.reminder_due', moved.id)).toEqual([]);
    expect(eventsOf('booking.completed', kept.id)).toHaveLength(1);
    await advanceTo(movedStart - 60 * MIN + 5_000);
    expect(eventsOf('booking.reminder_due', moved.id)).toHaveLength(1);

    // The end: booking.completed once; later clock moves add nothing.
    await advanceTo(movedStart + 31 * MIN);
    await advanceTo(movedStart + 2 * 60 * MIN);
    expect(eventsOf('booking.completed', moved.id)).toHaveLength(1);
    expect(eventsOf('booking.completed', cancelled.id)).toEqual([]);
    expect(eventsOf('booking.reminder_due', kept.id)).toHaveLength(1);
    // The moved booking's reminder is sent by the notification consumer after its event: wait for it, then
    // check that there are exactly two (one per fired reminder, none for the cancelled booking).
    const reminders = () => outbox().then((items) => items.filter((message) => message.recipient === invitee.email && message.subject?.startsWith('Reminder: ')));
    await eventually(async () => ((await reminders()).length >= 2 ? true : null), 30_000);
    expect(await reminders()).toHaveLength(2);
    expect(eventsOf('booking.completed', kept.id)).toHaveLength(1);
    expect((eventsOf('booking.completed', kept.id)[0]!.data as { occurrence: { end: string } }).occurrence.end).toBe(kept.end);
    expect(published.filter((e) => e.type === 'booking.reminder_due' && (e.data as { minutesBefore: number }).minutesBefore === 10 * 1440)).toEqual([]);
    expect(await timersOf(kept.id)).toEqual([]);
  }, 120_000);

  it('refuses a clock move backwards or of no number, naming the field', async () => {
    const refused = await json<{ errors: { field: string }[] }>(await post('/local/clock', { advanceSeconds: -5 }), 400);
    expect(refused.errors[0]!.field).toBe('body.advanceSeconds');
    expect((await post('/local/clock', { advanceSeconds: 'soon' })).status).toBe(400);
  });
});
