import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { microsoftSandbox, SANDBOX_MICROSOFT_USER } from '../../infra/local/sandbox-microsoft.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { eventually } from '../support/eventually.ts';
import { startRadicale, type Radicale } from '../support/radicale.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * One occurrence (or this-and-following) of a recurring booking on the local stack (DynamoDB Local, the
 * Google simulator as the host's calendar), issue 12 item 6: the simulator's series and instances are the
 * independent truth, the claims are checked by booking the freed and the taken times.
 */
let stack: TestStack;
let bookingTypeId: string;
let scheduleId: string;
const published: DomainEvent[] = [];
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Occurrence {
  start: string;
  end: string;
  status: string;
  originalStart: string;
}
interface BookingReply {
  id: string;
  status: string;
  start: string;
  occurrences: Occurrence[];
  providerEvents: { eventId: string }[];
}

const book = (start: string, name: string, rrule?: string, typeId = bookingTypeId) =>
  stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: typeId, start, invitee: { name, email: 'ines@example.com', timeZone: 'UTC' }, ...(rrule ? { recurrence: { rrule } } : {}) }) });
const reschedule = (id: string, body: Record<string, unknown>) => stack.api(`/v1/bookings/${id}/reschedule`, { method: 'POST', body: JSON.stringify(body) });
const cancel = (id: string, body: Record<string, unknown>) => stack.api(`/v1/bookings/${id}/cancel`, { method: 'POST', body: JSON.stringify(body) });

/** The series masters of one invitee's booking at the simulator, and their expanded, live instances. */
function atSimulator(name: string): { masters: { id: string; recurrence: string[] }[]; instances: { start: string; recurringEventId: string | null }[] } {
  const google = sandboxSimulators.google!;
  const summary = `Occurrences: ${name}`;
  const masters = google
    .truth(SANDBOX_GOOGLE_USER)
    .filter((e) => e.summary === summary && e.recurrence && e.status !== 'cancelled')
    .map((e) => ({ id: e.id, recurrence: e.recurrence! }));
  const instances = google
    .expandedTruth(SANDBOX_GOOGLE_USER, { timeMin: new Date(Date.now()), timeMax: new Date(Date.now() + 59 * DAY) })
    .filter((e) => e.summary === summary && e.status !== 'cancelled')
    .map((e) => ({ start: iso(Date.parse(e.start!.dateTime!)), recurringEventId: e.recurringEventId ?? null }));
  return { masters, instances };
}

const eventsOf = (type: string, bookingId: string) =>
  published.filter((e) => e.type === type && (e.data as { booking: { id: string } }).booking.id === bookingId) as DomainEvent<'booking.rescheduled'>[];

/** A time free on `days` consecutive days starting within 3 days of `fromDay` (days from today), and free 1 and 2 hours later too. */
async function freeDailyTime(fromDay: number, days: number, typeId = bookingTypeId): Promise<number> {
  const first = Math.floor(Date.now() / DAY) * DAY + fromDay * DAY;
  const slots = (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${typeId}/slots?start=${iso(first)}&end=${iso(first + (days + 4) * DAY)}`), 200)).slots;
  const free = new Set(slots.map((s) => Date.parse(s.start)));
  const base = [...free].sort((a, b) => a - b).find((t) => Array.from({ length: days }, (_x, d) => d).every((d) => free.has(t + d * DAY) && free.has(t + d * DAY + HOUR) && free.has(t + d * DAY + 2 * HOUR)));
  expect(base).toBeDefined();
  return base!;
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  stack.bus.subscribe((event) => {
    if (event.type.startsWith('booking.')) published.push(event);
  });
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  const calendarId = calendars.find((c) => c.isPrimary)!.id;
  scheduleId = (await json<{ id: string }>(
    await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
    201,
  )).id;
  bookingTypeId = (
    await json<{ id: string }>(
      await stack.api('/v1/booking-types', {
        method: 'POST',
        body: JSON.stringify({ name: 'Occurrences', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], recurrence: { allowed: true, maxOccurrences: 10 } }),
      }),
      201,
    )
  ).id;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('one occurrence of a recurring booking', () => {
  it('reschedules one occurrence: one moved instance at the provider, the rest unchanged; the freed time bookable, the new one taken', async () => {
    const base = await freeDailyTime(3, 6);
    const booking = await json<BookingReply>(await book(iso(base), 'Rita Reschedule', 'FREQ=DAILY;COUNT=6'), 201);
    expect(booking.occurrences.map((o) => o.originalStart)).toEqual(booking.occurrences.map((o) => o.start));
    const second = booking.occurrences[1]!;
    const target = base + DAY + HOUR;
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(target), occurrence: second.originalStart, scope: 'instance' }), 200);
    expect(moved.occurrences[1]).toEqual({ start: iso(target), end: iso(target + 30 * 60_000), status: 'confirmed', originalStart: second.originalStart });
    expect(moved.occurrences.filter((_o, i) => i !== 1)).toEqual(booking.occurrences.filter((_o, i) => i !== 1));
    expect(moved.start).toBe(booking.start);

    const truth = atSimulator('Rita Reschedule');
    expect(truth.masters).toHaveLength(1);
    expect(truth.instances.map((i) => i.start)).toEqual([base, target, ...[2, 3, 4, 5].map((d) => base + d * DAY)].map(iso));
    const event = eventsOf('booking.rescheduled', booking.id).at(-1)!;
    expect(event.data).toMatchObject({ source: 'api', occurrence: second.originalStart, scope: 'instance', previous: { start: second.start } });

    // The old time is free for someone else; the new one is taken; the untouched occurrences still hold theirs.
    await json(await book(second.start, 'Oscar Other'), 201);
    expect((await book(iso(target), 'Oscar Other')).status).toBe(409);
    expect((await book(iso(base + 2 * DAY), 'Oscar Other')).status).toBe(409);
    // One occurrence cannot move onto another of its own.
    const onto = await json<{ code: string }>(await reschedule(booking.id, { start: iso(base + 3 * DAY), occurrence: booking.occurrences[4]!.originalStart }), 409);
    expect(onto.code).toBe('booking.slot_unavailable');
  }, 120_000);

  it('cancels this and the following occurrences from the 3rd of 6: the series at the provider ends after the 2nd', async () => {
    const base = await freeDailyTime(12, 6);
    const booking = await json<BookingReply>(await book(iso(base), 'Fiona Following', 'FREQ=DAILY;COUNT=6'), 201);
    const third = booking.occurrences[2]!;
    const cancelled = await json<BookingReply>(await cancel(booking.id, { occurrence: third.originalStart, scope: 'following', reason: 'moving away' }), 200);
    expect(cancelled.status).toBe('confirmed');
    expect(cancelled.occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const truth = atSimulator('Fiona Following');
    expect(truth.masters).toHaveLength(1);
    expect(truth.masters[0]!.recurrence.join()).toMatch(/UNTIL=/);
    expect(truth.instances.map((i) => i.start)).toEqual([iso(base), iso(base + DAY)]);
    const event = eventsOf('booking.cancelled', booking.id).at(-1)!;
    expect(event.data).toMatchObject({ source: 'api', occurrence: third.originalStart, scope: 'following', reason: 'moving away' });
    // Freed: the cancelled times are bookable again; the kept ones are not.
    await json(await book(iso(base + 4 * DAY), 'Oscar Other'), 201);
    expect((await book(iso(base + DAY), 'Oscar Other')).status).toBe(409);
    // Repeating the cancel answers the booking as it is.
    expect((await json<BookingReply>(await cancel(booking.id, { occurrence: third.originalStart, scope: 'following' }), 200)).occurrences).toEqual(cancelled.occurrences);
  }, 120_000);

  it('cancels one instance; the booking is cancelled once every occurrence is', async () => {
    const base = await freeDailyTime(20, 3);
    const booking = await json<BookingReply>(await book(iso(base), 'Ivan Instance', 'FREQ=DAILY;COUNT=3'), 201);
    const middle = booking.occurrences[1]!;
    const one = await json<BookingReply>(await cancel(booking.id, { occurrence: middle.originalStart }), 200);
    expect(one.status).toBe('confirmed');
    expect(one.occurrences.map((o) => o.status)).toEqual(['confirmed', 'cancelled', 'confirmed']);
    expect(atSimulator('Ivan Instance').instances.map((i) => i.start)).toEqual([iso(base), iso(base + 2 * DAY)]);
    expect(eventsOf('booking.cancelled', booking.id).at(-1)!.data).toMatchObject({ occurrence: middle.originalStart, scope: 'instance' });
    await json(await book(middle.start, 'Oscar Other'), 201);

    await json(await cancel(booking.id, { occurrence: booking.occurrences[0]!.originalStart }), 200);
    const last = await json<BookingReply>(await cancel(booking.id, { occurrence: booking.occurrences[2]!.originalStart, scope: 'instance' }), 200);
    expect(last.status).toBe('cancelled');
    expect(atSimulator('Ivan Instance').instances).toEqual([]);
  }, 120_000);

  it('reschedules this and the following occurrences: the provider series is split at the 4th', async () => {
    const base = await freeDailyTime(26, 6);
    const booking = await json<BookingReply>(await book(iso(base), 'Sam Split', 'FREQ=DAILY;COUNT=6'), 201);
    const fourth = booking.occurrences[3]!;
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + 3 * DAY + 2 * HOUR), occurrence: fourth.originalStart, scope: 'following' }), 200);
    const expected = [0, 1, 2].map((d) => base + d * DAY).concat([3, 4, 5].map((d) => base + d * DAY + 2 * HOUR));
    expect(moved.occurrences.map((o) => o.start)).toEqual(expected.map(iso));
    expect(moved.providerEvents).toHaveLength(2);
    const truth = atSimulator('Sam Split');
    expect(truth.masters).toHaveLength(2);
    expect(truth.instances.map((i) => i.start)).toEqual(expected.map(iso));
    expect((await book(iso(base + 4 * DAY), 'Oscar Other')).status).toBe(201);
    expect((await book(iso(base + 4 * DAY + 2 * HOUR), 'Oscar Other')).status).toBe(409);
    // The moved part can be changed again, one instance of the new series.
    const fifth = moved.occurrences[4]!;
    const again = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + 4 * DAY + HOUR), occurrence: fifth.originalStart }), 200);
    expect(again.occurrences[4]).toMatchObject({ start: iso(base + 4 * DAY + HOUR), originalStart: fifth.originalStart });
    expect(atSimulator('Sam Split').instances.map((i) => i.start)).toContain(iso(base + 4 * DAY + HOUR));
  }, 120_000);

  it('moves the whole series by the shift of the occurrence named (scope series), and without an occurrence', async () => {
    const base = await freeDailyTime(47, 3);
    const booking = await json<BookingReply>(await book(iso(base), 'Selma Series', 'FREQ=DAILY;COUNT=3'), 201);
    const shifted = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + 2 * DAY + HOUR), occurrence: booking.occurrences[2]!.originalStart, scope: 'series' }), 200);
    const expected = [0, 1, 2].map((d) => iso(base + d * DAY + HOUR));
    expect(shifted.occurrences.map((o) => [o.start, o.originalStart])).toEqual(expected.map((t) => [t, t]));
    expect(atSimulator('Selma Series')).toMatchObject({ masters: [{}], instances: expected.map((start) => ({ start })) });
    expect(eventsOf('booking.rescheduled', booking.id).at(-1)!.data).toMatchObject({ scope: 'series', occurrence: booking.occurrences[2]!.originalStart });
    const back = await json<BookingReply>(await reschedule(booking.id, { start: iso(base) }), 200);
    expect(back.occurrences.map((o) => o.start)).toEqual(booking.occurrences.map((o) => o.start));
    expect(atSimulator('Selma Series').instances.map((i) => i.start)).toEqual(booking.occurrences.map((o) => o.start));
    // A cancelled occurrence stays cancelled when its series moves.
    await json(await cancel(booking.id, { occurrence: booking.occurrences[1]!.originalStart }), 200);
    const again = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + HOUR) }), 200);
    expect(again.occurrences.map((o) => [o.start, o.status])).toEqual([[expected[0], 'confirmed'], [expected[1], 'cancelled'], [expected[2], 'confirmed']]);
    expect(atSimulator('Selma Series').instances.map((i) => i.start)).toEqual([expected[0], expected[2]]);
    await json(await reschedule(booking.id, { start: iso(base) }), 200);
    expect(atSimulator('Selma Series').instances.map((i) => i.start)).toEqual([booking.occurrences[0]!.start, booking.occurrences[2]!.start]);
    // Each move freed what it left: the first times are the booking's again, the shifted ones free.
    await json(await book(iso(base + HOUR), 'Oscar Other'), 201);
  }, 120_000);

  it('answers a time that is not one of the occurrences with 400 naming body.occurrence', async () => {
    const base = await freeDailyTime(33, 2);
    const booking = await json<BookingReply>(await book(iso(base), 'Bea Bad', 'FREQ=DAILY;COUNT=2'), 201);
    const cases: [Response, string][] = [
      [await reschedule(booking.id, { start: iso(base + HOUR), occurrence: iso(base + 30 * 60_000) }), 'body.occurrence'],
      [await cancel(booking.id, { occurrence: iso(base + 5 * DAY) }), 'body.occurrence'],
      [await cancel(booking.id, { occurrence: 'yesterday' }), 'body.occurrence'],
      [await reschedule(booking.id, { start: iso(base + HOUR), occurrence: iso(base), scope: 'some' }), 'body.scope'],
      [await cancel(booking.id, { scope: 'following' }), 'body.occurrence'],
      [await reschedule(booking.id, { start: iso(base + HOUR), scope: 'instance' }), 'body.occurrence'],
    ];
    for (const [response, field] of cases) {
      const problem = await json<{ errors: { field: string }[] }>(response, 400);
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
    expect((await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200)).occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed']);
  }, 60_000);

  it('is two-way per occurrence: the host moving or deleting one instance in Google reschedules or cancels that occurrence (source calendar)', async () => {
    const base = await freeDailyTime(40, 4);
    const booking = await json<BookingReply>(await book(iso(base), 'Carla Calendar', 'FREQ=DAILY;COUNT=4'), 201);
    const google = sandboxSimulators.google!;
    const masterId = atSimulator('Carla Calendar').masters[0]!.id;
    const second = booking.occurrences[1]!;
    const target = base + DAY + HOUR;
    google.editInstance(SANDBOX_GOOGLE_USER, masterId, second.originalStart, { start: { dateTime: iso(target) }, end: { dateTime: iso(target + 30 * 60_000) } });
    const rescheduled = await eventually(async () => eventsOf('booking.rescheduled', booking.id).find((e) => e.data.source === 'calendar'), 30_000);
    expect(rescheduled.data).toMatchObject({ occurrence: second.originalStart, scope: 'instance', previous: { start: second.start } });
    const stored = await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200);
    expect(stored.occurrences[1]).toMatchObject({ start: iso(target), originalStart: second.originalStart, status: 'confirmed' });
    expect(stored.occurrences.filter((_o, i) => i !== 1)).toEqual(booking.occurrences.filter((_o, i) => i !== 1));
    // The claim followed: the new time is taken, the old one free.
    expect((await book(iso(target), 'Oscar Other')).status).toBe(409);
    await json(await book(second.start, 'Oscar Other'), 201);

    const third = booking.occurrences[2]!;
    google.cancelInstance(SANDBOX_GOOGLE_USER, masterId, third.originalStart);
    const cancelled = await eventually(async () => eventsOf('booking.cancelled', booking.id).find((e) => (e.data as { source: string }).source === 'calendar'), 30_000);
    expect(cancelled.data).toMatchObject({ occurrence: third.originalStart, scope: 'instance' });
    const after = await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200);
    expect(after.status).toBe('confirmed');
    expect(after.occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'cancelled', 'confirmed']);
    await json(await book(third.start, 'Oscar Other'), 201);
    // Our own instance write coming back through sync is not taken for the host's.
    const fourth = booking.occurrences[3]!;
    await json(await reschedule(booking.id, { start: iso(base + 3 * DAY + 2 * HOUR), occurrence: fourth.originalStart }), 200);
    await google.flushPushes();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(eventsOf('booking.rescheduled', booking.id).map((e) => e.data.source)).toEqual(['calendar', 'api']);
  }, 120_000);

  it('is two-way for this-and-following too: the host ending the series early in Google cancels the rest (source calendar)', async () => {
    const base = await freeDailyTime(52, 4);
    const booking = await json<BookingReply>(await book(iso(base), 'Uma Until', 'FREQ=DAILY;COUNT=4'), 201);
    const masterId = atSimulator('Uma Until').masters[0]!.id;
    const until = new Date(base + 2 * DAY - 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    sandboxSimulators.google!.setRecurrence(SANDBOX_GOOGLE_USER, masterId, [`RRULE:FREQ=DAILY;UNTIL=${until}`]);
    const cancelled = await eventually(async () => eventsOf('booking.cancelled', booking.id).find((e) => (e.data as { source: string }).source === 'calendar'), 30_000);
    expect(cancelled.data).toMatchObject({ occurrence: booking.occurrences[2]!.originalStart, scope: 'following' });
    const after = await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200);
    expect(after.occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled']);
    await json(await book(booking.occurrences[3]!.start, 'Oscar Other'), 201);
    expect((await book(booking.occurrences[1]!.start, 'Oscar Other')).status).toBe(409);
  }, 120_000);
});

describe('one occurrence of a recurring booking on Microsoft 365 (Graph simulator)', () => {
  let typeId: string;
  const name = 'Mona Microsoft';
  /** The live instances of the booking's series in the Outlook calendar (calendarView, UTC). */
  const outlook = () => {
    const graph = microsoftSandbox.simulator!;
    return graph
      .truth(graph.user(SANDBOX_MICROSOFT_USER).defaultCalendarId, Date.now(), Date.now() + 59 * DAY, { timeZone: 'UTC' })
      .filter((e) => e.subject === `Outlook occurrences: ${name}` && e.isCancelled !== true)
      .map((e) => ({ id: e.id, type: e.type, start: iso(Date.parse(`${(e.start as { dateTime: string }).dateTime.slice(0, 19)}Z`)) }));
  };

  beforeAll(async () => {
    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/microsoft/authorize', { method: 'POST', body: '{}' }), 200);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
    const calendars = await eventually(async () => {
      const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
      return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
    }, 60_000);
    const calendarId = calendars.find((c) => c.isPrimary)!.id;
    typeId = (
      await json<{ id: string }>(
        await stack.api('/v1/booking-types', {
          method: 'POST',
          body: JSON.stringify({ name: 'Outlook occurrences', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], recurrence: { allowed: true, maxOccurrences: 10 } }),
        }),
        201,
      )
    ).id;
  }, 120_000);

  it('moves one instance in Outlook through the API; the host moving or deleting another instance reschedules or cancels that occurrence (source calendar)', async () => {
    const base = await freeDailyTime(5, 4, typeId);
    const booking = await json<BookingReply>(await book(iso(base), name, 'FREQ=DAILY;COUNT=4', typeId), 201);
    expect(outlook().map((e) => e.start)).toEqual([0, 1, 2, 3].map((d) => iso(base + d * DAY)));
    const second = booking.occurrences[1]!;
    const target = base + DAY + HOUR;
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(target), occurrence: second.originalStart }), 200);
    expect(moved.occurrences[1]).toMatchObject({ start: iso(target), originalStart: second.originalStart });
    expect(outlook().map((e) => e.start)).toEqual([iso(base), iso(target), iso(base + 2 * DAY), iso(base + 3 * DAY)]);
    expect(outlook().find((e) => e.start === iso(target))?.type).toBe('exception');
    await json(await book(second.start, 'Oscar Other', undefined, typeId), 201);
    expect((await book(iso(target), 'Oscar Other', undefined, typeId)).status).toBe(409);

    // The host drags the 3rd instance an hour later in Outlook.
    const third = booking.occurrences[2]!;
    const instance = outlook().find((e) => e.start === third.start)!;
    const later = Date.parse(third.start) + HOUR;
    microsoftSandbox.simulator!.updateEvent(instance.id, { start: { dateTime: iso(later).slice(0, 19), timeZone: 'UTC' }, end: { dateTime: iso(later + 30 * 60_000).slice(0, 19), timeZone: 'UTC' } });
    const rescheduled = await eventually(async () => eventsOf('booking.rescheduled', booking.id).find((e) => e.data.source === 'calendar'), 30_000);
    expect(rescheduled.data).toMatchObject({ occurrence: third.originalStart, scope: 'instance', previous: { start: third.start } });
    expect((await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200)).occurrences[2]).toMatchObject({ start: iso(later), originalStart: third.originalStart });
    expect(eventsOf('booking.rescheduled', booking.id).map((e) => e.data.source)).toEqual(['api', 'calendar']);

    // The host deletes the 4th instance in Outlook.
    const fourth = booking.occurrences[3]!;
    microsoftSandbox.simulator!.deleteEvent(outlook().find((e) => e.start === fourth.start)!.id);
    const cancelled = await eventually(async () => eventsOf('booking.cancelled', booking.id).find((e) => (e.data as { source: string }).source === 'calendar'), 30_000);
    expect(cancelled.data).toMatchObject({ occurrence: fourth.originalStart, scope: 'instance' });
    expect((await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200)).occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'cancelled']);
    await json(await book(fourth.start, 'Oscar Other', undefined, typeId), 201);
  }, 120_000);

  it('splits the series in Outlook for this-and-following: a move starts a new series, a cancel ends it', async () => {
    const base = await freeDailyTime(14, 5, typeId);
    const booking = await json<BookingReply>(await book(iso(base), name, 'FREQ=DAILY;COUNT=5', typeId), 201);
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + 2 * DAY + 2 * HOUR), occurrence: booking.occurrences[2]!.originalStart, scope: 'following' }), 200);
    const expected = [0, 1].map((d) => iso(base + d * DAY)).concat([2, 3, 4].map((d) => iso(base + d * DAY + 2 * HOUR)));
    expect(moved.occurrences.map((o) => o.start)).toEqual(expected);
    const inWindow = () => outlook().filter((e) => Date.parse(e.start) >= base && Date.parse(e.start) < base + 5 * DAY + 3 * HOUR);
    expect(inWindow().map((e) => e.start)).toEqual(expected);
    const cancelled = await json<BookingReply>(await cancel(booking.id, { occurrence: moved.occurrences[3]!.originalStart, scope: 'following' }), 200);
    expect(cancelled.occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'cancelled', 'cancelled']);
    expect(inWindow().map((e) => e.start)).toEqual(expected.slice(0, 3));
    // Outlook's own changes coming back through sync are not taken for the host's.
    await microsoftSandbox.simulator!.flush();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(published.filter((e) => (e.data as { booking?: { id: string }; source?: string }).booking?.id === booking.id && (e.data as { source?: string }).source === 'calendar')).toEqual([]);
  }, 120_000);
});

describe('one occurrence of a recurring booking on CalDAV (real Radicale)', () => {
  let radicale: Radicale;
  let typeId: string;
  let connectionId: string;
  let collection: string;
  const name = 'Carl Caldav';
  /** The VEVENTs of the booking's object in Radicale: the master's start and each override's RECURRENCE-ID → start. */
  const inRadicale = async () => {
    const objects = await radicale.user('grace').list(collection);
    const object = objects.find((o) => o.data.includes(`SUMMARY:DAV occurrences: ${name}`));
    if (!object) return null;
    const unfolded = object.data.replace(/\r?\n[ \t]/g, '');
    const time = (block: string, property: string) => {
      const digits = new RegExp(`^${property}[;:].*?(\\d{8}T\\d{6})`, 'm').exec(block)?.[1];
      return digits ? iso(Date.parse(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(9, 11)}:${digits.slice(11, 13)}:${digits.slice(13, 15)}Z`)) : null;
    };
    const blocks = unfolded.split('BEGIN:VEVENT').slice(1);
    return {
      href: object.href,
      etag: object.etag,
      data: object.data,
      master: blocks.filter((b) => !/^RECURRENCE-ID/m.test(b)).map((b) => ({ start: time(b, 'DTSTART'), rule: /^RRULE:(.*)$/m.exec(b)?.[1] ?? null })),
      overrides: blocks.filter((b) => /^RECURRENCE-ID/m.test(b)).map((b) => ({ recurrenceId: time(b, 'RECURRENCE-ID'), start: time(b, 'DTSTART') })),
    };
  };

  beforeAll(async () => {
    radicale = await startRadicale({ users: { grace: 'grace-app-password' } });
    collection = await radicale.user('grace').makeCalendar('work', { name: 'Work', timeZone: 'UTC' });
    const connection = await json<{ id: string }>(await stack.api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify({ serverUrl: radicale.url, username: 'grace', password: 'grace-app-password' }) }), 201);
    connectionId = connection.id;
    const calendars = await eventually(async () => {
      const list = (await json<{ items: { id: string; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
      return list[0]?.lastSyncedAt ? list : null;
    }, 60_000);
    const calendarId = calendars[0]!.id;
    typeId = (
      await json<{ id: string }>(
        await stack.api('/v1/booking-types', {
          method: 'POST',
          body: JSON.stringify({ name: 'DAV occurrences', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], recurrence: { allowed: true, maxOccurrences: 10 } }),
        }),
        201,
      )
    ).id;
  }, 120_000);
  afterAll(async () => {
    await radicale?.stop();
  });

  it('moves one instance as an override (RECURRENCE-ID) through the API, and the host moving another reschedules that occurrence (source calendar)', async () => {
    const base = await freeDailyTime(8, 4, typeId);
    const booking = await json<BookingReply>(await book(iso(base), name, 'FREQ=DAILY;COUNT=4', typeId), 201);
    const second = booking.occurrences[1]!;
    const target = base + DAY + HOUR;
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(target), occurrence: second.originalStart }), 200);
    expect(moved.occurrences[1]).toMatchObject({ start: iso(target), originalStart: second.originalStart });
    const after = (await inRadicale())!;
    expect(after.master).toEqual([{ start: iso(base), rule: expect.stringMatching(/FREQ=DAILY/) as unknown as string }]);
    expect(after.overrides).toEqual([{ recurrenceId: second.originalStart, start: iso(target) }]);
    await json(await book(second.start, 'Oscar Other', undefined, typeId), 201);
    expect((await book(iso(target), 'Oscar Other', undefined, typeId)).status).toBe(409);

    // The host's other client moves the 3rd instance an hour later: an override added to the same object,
    // stamped (LAST-MODIFIED, whole seconds) a second after the API's reschedule so last-writer-wins is clear.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const third = booking.occurrences[2]!;
    const later = Date.parse(third.start) + HOUR;
    const basic = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const masterBlock = /BEGIN:VEVENT\r?\n(?:(?!END:VEVENT)[\s\S])*?END:VEVENT/.exec(after.data.replace(/\r?\n[ \t]/g, ''))![0];
    const override = masterBlock
      .split(/\r?\n/)
      .filter((line) => !/^(RRULE|EXDATE|RDATE|DTSTART|DTEND|DURATION|SEQUENCE|DTSTAMP|LAST-MODIFIED)[;:]/.test(line))
      .flatMap((line) => (line === 'BEGIN:VEVENT' ? [line, `RECURRENCE-ID:${basic(Date.parse(third.originalStart))}`, `DTSTART:${basic(later)}`, `DTEND:${basic(later + 30 * 60_000)}`, `DTSTAMP:${basic(Date.now())}`, `LAST-MODIFIED:${basic(Date.now())}`, 'SEQUENCE:1'] : [line]))
      .join('\r\n');
    const edited = after.data.replace(/END:VCALENDAR\s*$/, `${override}\r\nEND:VCALENDAR\r\n`);
    await radicale.user('grace').put(collection, after.href.split('/').pop()!, edited, { ifMatch: after.etag });
    expect((await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST' })).status).toBe(202);
    const rescheduled = await eventually(async () => eventsOf('booking.rescheduled', booking.id).find((e) => e.data.source === 'calendar'), 30_000);
    expect(rescheduled.data).toMatchObject({ occurrence: third.originalStart, scope: 'instance', previous: { start: third.start } });
    expect((await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200)).occurrences[2]).toMatchObject({ start: iso(later), originalStart: third.originalStart });
    expect(eventsOf('booking.rescheduled', booking.id).map((e) => e.data.source)).toEqual(['api', 'calendar']);

    // The host deletes the 4th instance in the other client: an EXDATE on the series.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fourth = booking.occurrences[3]!;
    const current = (await inRadicale())!;
    const withExdate = current.data.replace(/^(RRULE:[^\r\n]*)/m, `$1\r\nEXDATE:${basic(Date.parse(fourth.originalStart))}`);
    expect(withExdate).not.toBe(current.data);
    await radicale.user('grace').put(collection, current.href.split('/').pop()!, withExdate, { ifMatch: current.etag });
    expect((await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST' })).status).toBe(202);
    const cancelled = await eventually(async () => eventsOf('booking.cancelled', booking.id).find((e) => (e.data as { source: string }).source === 'calendar'), 30_000);
    expect(cancelled.data).toMatchObject({ occurrence: fourth.originalStart, scope: 'instance' });
    expect((await json<BookingReply>(await stack.api(`/v1/bookings/${booking.id}`), 200)).occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'cancelled']);
    await json(await book(fourth.start, 'Oscar Other', undefined, typeId), 201);
  }, 120_000);

  it('splits the series in Radicale for this-and-following: the old rule ends with an UNTIL, a new object starts at the new time', async () => {
    const base = await freeDailyTime(18, 5, typeId);
    const booking = await json<BookingReply>(await book(iso(base), 'Dora Dav', 'FREQ=DAILY;COUNT=5', typeId), 201);
    const moved = await json<BookingReply>(await reschedule(booking.id, { start: iso(base + 2 * DAY + 2 * HOUR), occurrence: booking.occurrences[2]!.originalStart, scope: 'following' }), 200);
    expect(moved.occurrences.map((o) => o.start)).toEqual([0, 1].map((d) => iso(base + d * DAY)).concat([2, 3, 4].map((d) => iso(base + d * DAY + 2 * HOUR))));
    const objects = (await radicale.user('grace').list(collection)).filter((o) => o.data.includes('SUMMARY:DAV occurrences: Dora Dav'));
    expect(objects).toHaveLength(2);
    const rules = objects.map((o) => /^RRULE:(.*)$/m.exec(o.data.replace(/\r?\n[ \t]/g, ''))?.[1]?.trim() ?? '').sort();
    expect(rules.some((r) => /UNTIL=/.test(r))).toBe(true);
    expect(rules.some((r) => /COUNT=3/.test(r))).toBe(true);
    const cancelled = await json<BookingReply>(await cancel(booking.id, { occurrence: moved.occurrences[4]!.originalStart }), 200);
    expect(cancelled.occurrences.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'confirmed', 'cancelled']);
    const split = (await radicale.user('grace').list(collection)).find((o) => o.data.includes('SUMMARY:DAV occurrences: Dora Dav') && /COUNT=3/.test(o.data))!;
    expect(split.data).toMatch(new RegExp(`EXDATE[^\\r\\n]*${moved.occurrences[4]!.start.replace(/[-:]/g, '').slice(0, 15)}`));
  }, 120_000);
});
