import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * Bookings on the local stack (DynamoDB Local, the Google simulator as the host's calendar): the rules of
 * scheduling.md §4 checked against the simulator's own state (its events are the independent truth).
 */
let stack: TestStack;
let otherToken: string;
let bookingTypeId: string;
let calendarId: string;
let slots: { start: string; end: string }[];
const published: DomainEvent[] = [];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const invitee = { name: 'Ines Invitee', email: 'ines@example.com', timeZone: 'Europe/Berlin' };

/** Events of the booking type at the simulator (the host's real calendar), not cancelled. */
function providerEvents(): { id: string; start: string }[] {
  return sandboxSimulators
    .google!.truth(SANDBOX_GOOGLE_USER)
    .filter((event) => event.summary?.startsWith('Consultation:') && event.status !== 'cancelled')
    .map((event) => ({ id: event.id, start: new Date(event.start!.dateTime!).toISOString() }));
}

const book = (start: string, init: { key?: string; body?: Record<string, unknown>; token?: string } = {}) =>
  stack.api('/v1/bookings', {
    method: 'POST',
    body: JSON.stringify(init.body ?? { bookingTypeId, start, invitee }),
    headers: init.key ? { 'idempotency-key': init.key } : {},
    ...(init.token ? { token: init.token } : {}),
  });

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  stack.bus.subscribe((event) => {
    if (event.type.startsWith('booking.')) published.push(event);
  });
  otherToken = await stack.tokenFor('other-tenant');
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  calendarId = calendars.find((c) => c.isPrimary)!.id;
  const schedule = await json<{ id: string }>(
    await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
    201,
  );
  bookingTypeId = (
    await json<{ id: string }>(
      await stack.api('/v1/booking-types', {
        method: 'POST',
        body: JSON.stringify({ name: 'Consultation', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }], recurrence: { allowed: true, maxOccurrences: 10 } }),
      }),
      201,
    )
  ).id;
  // Slots a few days out, clear of the sandbox's seeded meetings (checked by the slot listing itself).
  const from = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  const week = (await json<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?start=${iso(from)}&end=${iso(from + 7 * DAY)}`), 200)).slots;
  // The day with the most free slots (the sandbox has meetings and an all-day offsite on some days).
  const byDay = Map.groupBy(week, (slot) => slot.start.slice(0, 10));
  slots = [...byDay.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  expect(slots.length).toBeGreaterThan(20);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('bookings on the local stack', () => {
  it('of 50 concurrent requests for one slot exactly one wins; the rest get 409 with alternatives; one provider event', async () => {
    const slot = slots[0]!;
    const answers = await Promise.all(Array.from({ length: 50 }, () => book(slot.start)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const refused = (await answers.find((answer) => answer.status === 409)!.json()) as { code: string; alternatives: { start: string }[] };
    expect(refused.code).toBe('booking.slot_unavailable');
    expect(refused.alternatives.length).toBeGreaterThan(0);
    expect(refused.alternatives.map((a) => a.start)).not.toContain(slot.start);
    const winner = (await answers.find((answer) => answer.status === 201)!.json()) as { id: string; status: string; start: string; providerEvents: { calendarId: string; eventId: string }[]; invitee: { email: string } };
    expect(winner).toMatchObject({ status: 'confirmed', start: slot.start.replace('.000Z', 'Z'), invitee: { email: invitee.email } });
    expect(providerEvents().filter((e) => e.start === new Date(slot.start).toISOString())).toHaveLength(1);
    const attendees = sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).find((e) => e.summary === 'Consultation: Ines Invitee')?.attendees?.map((a) => a.email);
    expect(attendees).toContain(invitee.email);
    expect(published.filter((e) => e.type === 'booking.created' && (e.data as { booking: { id: string } }).booking.id === winner.id)).toHaveLength(1);
    // The booking is the tenant's own: others do not see it.
    expect((await stack.api(`/v1/bookings/${winner.id}`)).status).toBe(200);
    expect((await stack.api(`/v1/bookings/${winner.id}`, { token: otherToken })).status).toBe(404);
    expect((await stack.api(`/v1/bookings/${winner.id}/cancel`, { method: 'POST', body: '{}', token: otherToken })).status).toBe(404);
    const listed = await json<{ items: { id: string }[] }>(await stack.api(`/v1/bookings?bookingTypeId=${bookingTypeId}&status=confirmed`), 200);
    expect(listed.items.map((b) => b.id)).toContain(winner.id);
    expect((await json<{ items: unknown[] }>(await stack.api('/v1/bookings', { token: otherToken }), 200)).items).toEqual([]);
  }, 120_000);

  it('replays the same Idempotency-Key: one booking, one provider event', async () => {
    const slot = slots[2]!;
    const first = await json<{ id: string }>(await book(slot.start, { key: 'booking-key-1' }), 201);
    const again = await book(slot.start, { key: 'booking-key-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    expect(providerEvents().filter((e) => e.start === new Date(slot.start).toISOString())).toHaveLength(1);
    expect((await book(slots[3]!.start, { key: 'booking-key-1' })).status).toBe(422);
  }, 60_000);

  it('reschedules (same booking, the provider event moved, old time free again) and cancels (event gone, time free)', async () => {
    const created = await json<{ id: string; providerEvents: { eventId: string }[] }>(await book(slots[4]!.start), 201);
    const before = providerEvents().find((e) => e.start === new Date(slots[4]!.start).toISOString())!;
    const moved = await json<{ id: string; start: string }>(await stack.api(`/v1/bookings/${created.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: slots[6]!.start }) }), 200);
    expect(moved).toMatchObject({ id: created.id, start: slots[6]!.start.replace('.000Z', 'Z') });
    const after = providerEvents().find((e) => e.id === before.id);
    expect(after?.start).toBe(new Date(slots[6]!.start).toISOString());
    expect(providerEvents().filter((e) => e.start === new Date(slots[4]!.start).toISOString())).toHaveLength(0);
    const rescheduled = published.find((e) => e.type === 'booking.rescheduled' && (e.data as { booking: { id: string } }).booking.id === created.id);
    expect((rescheduled?.data as { previous: { start: string } }).previous.start).toBe(slots[4]!.start.replace('.000Z', 'Z'));
    // The old time is bookable again; the new one is taken.
    const other = await json<{ id: string }>(await book(slots[4]!.start), 201);
    expect((await book(slots[6]!.start)).status).toBe(409);

    const cancelled = await json<{ status: string }>(await stack.api(`/v1/bookings/${created.id}/cancel`, { method: 'POST', body: JSON.stringify({ reason: 'changed plans' }) }), 200);
    expect(cancelled.status).toBe('cancelled');
    expect(providerEvents().find((e) => e.id === before.id)).toBeUndefined();
    expect(published.some((e) => e.type === 'booking.cancelled' && (e.data as { booking: { id: string }; reason?: string }).booking.id === created.id)).toBe(true);
    expect((await json<{ status: string }>(await stack.api(`/v1/bookings/${created.id}/cancel`, { method: 'POST', body: '{}' }), 200)).status).toBe('cancelled');
    await json(await book(slots[6]!.start), 201);
    expect((await stack.api(`/v1/bookings/${other.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: slots[6]!.start }) })).status).toBe(409);
  }, 120_000);

  it('checks every occurrence of a recurring booking and lists the ones that collide', async () => {
    // A daily series whose 5th occurrence meets a booking made first: a time of day free on all six days.
    const firstDay = Math.floor(Date.now() / DAY) * DAY + 12 * DAY;
    const free = new Set((await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?start=${iso(firstDay)}&end=${iso(firstDay + 8 * DAY)}`), 200)).slots.map((s) => Date.parse(s.start)));
    const base = [...free].sort((a, b) => a - b).find((t) => [0, 1, 2, 3, 4, 5].every((d) => free.has(t + d * DAY)) && [0, 1, 2].every((d) => free.has(t + DAY / 2 + d * DAY)))!;
    expect(base).toBeDefined();
    await json(await book(iso(base + 4 * DAY)), 201);
    const refused = await json<{ code: string; conflicts: { start: string }[] }>(
      await book(iso(base), { body: { bookingTypeId, start: iso(base), invitee, recurrence: { rrule: 'FREQ=DAILY;COUNT=6' } } }),
      409,
    );
    expect(refused.code).toBe('booking.slot_unavailable');
    expect(refused.conflicts.map((c) => c.start)).toEqual([iso(base + 4 * DAY).replace('.000Z', 'Z')]);
    const series = await json<{ occurrences: { start: string }[] }>(await book(iso(base + DAY / 2), { body: { bookingTypeId, start: iso(base + DAY / 2), invitee, recurrence: { rrule: 'FREQ=DAILY;COUNT=3' } } }), 201);
    expect(series.occurrences).toHaveLength(3);
    expect((await book(iso(base + DAY / 2 + 2 * DAY))).status).toBe(409);
  }, 120_000);

  it('is two-way: the host moving or deleting the event in Google reschedules or cancels the booking (source calendar)', async () => {
    const created = await json<{ id: string }>(await book(slots[14]!.start), 201);
    const providerEvent = providerEvents().find((e) => e.start === new Date(slots[14]!.start).toISOString())!;
    // Our own API reschedule comes back through push and sync too: it must not look like the host's edit.
    await json(await stack.api(`/v1/bookings/${created.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: slots[15]!.start }) }), 200);
    const google = sandboxSimulators.google!;
    const movedStart = Date.parse(slots[18]!.start);
    google.patchEvent(SANDBOX_GOOGLE_USER, providerEvent.id, { start: { dateTime: iso(movedStart) }, end: { dateTime: iso(movedStart + 30 * 60_000) } });
    const rescheduled = await eventually(async () => published.find((e) => e.type === 'booking.rescheduled' && (e.data as { source: string; booking: { id: string } }).booking.id === created.id && (e.data as { source: string }).source === 'calendar'), 30_000);
    expect((rescheduled.data as { booking: { start: string }; previous: { start: string } }).booking.start).toBe(iso(movedStart).replace('.000Z', 'Z'));
    expect((rescheduled.data as { previous: { start: string } }).previous.start).toBe(slots[15]!.start.replace('.000Z', 'Z'));
    expect(published.filter((e) => e.type === 'booking.rescheduled' && (e.data as { booking: { id: string } }).booking.id === created.id).map((e) => (e.data as { source: string }).source)).toEqual(['api', 'calendar']);
    const stored = await json<{ start: string; status: string }>(await stack.api(`/v1/bookings/${created.id}`), 200);
    expect(stored).toMatchObject({ start: iso(movedStart).replace('.000Z', 'Z'), status: 'confirmed' });
    // The claim moved with it: the new time is taken, the API-rescheduled time is free again.
    expect((await book(slots[18]!.start)).status).toBe(409);
    await json(await book(slots[15]!.start), 201);

    google.deleteEvent(SANDBOX_GOOGLE_USER, providerEvent.id);
    const cancelled = await eventually(async () => published.find((e) => e.type === 'booking.cancelled' && (e.data as { booking: { id: string } }).booking.id === created.id), 30_000);
    expect((cancelled.data as { source: string }).source).toBe('calendar');
    expect((await json<{ status: string }>(await stack.api(`/v1/bookings/${created.id}`), 200)).status).toBe('cancelled');
    await json(await book(slots[18]!.start), 201);
  }, 120_000);

  it('applies daily and weekly limits to the slot lists (signed-in and public), the 409 alternatives, booking and reschedule', async () => {
    const type = await json<{ id: string; hosts: { scheduleId: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}`), 200);
    const limited = await json<{ id: string; publicId: string }>(
      await stack.api('/v1/booking-types', {
        method: 'POST',
        body: JSON.stringify({ name: 'Limited', durationMinutes: 30, assignment: 'collective', dailyLimit: 2, weeklyLimit: 3, public: true, hosts: [{ calendarIds: [calendarId], scheduleId: type.hosts[0]!.scheduleId, writeCalendarId: calendarId }] }),
      }),
      201,
    );
    // A whole ISO week (UTC, the schedule's zone) three weeks out: Monday 00:00 to the next Monday.
    const today = Math.floor(Date.now() / DAY) * DAY;
    const monday = today + 21 * DAY - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
    const range = `start=${iso(monday)}&end=${iso(monday + 7 * DAY)}`;
    const signedIn = async () => (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${limited.id}/slots?${range}`), 200)).slots.map((slot) => slot.start);
    const publicly = async () => (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/public/booking-types/${limited.publicId}/slots?${range}`, { token: null }), 200)).slots.map((slot) => slot.start);
    const dayOf = (start: string) => Math.floor((Date.parse(start) - monday) / DAY);
    const onDay = (list: string[], day: number) => list.filter((start) => dayOf(start) === day);
    const bookLimited = (start: string) => book(start, { body: { bookingTypeId: limited.id, start, invitee } });

    const before = await signedIn();
    expect(onDay(before, 0).length).toBeGreaterThan(10);
    expect(onDay(before, 1).length).toBeGreaterThan(10);
    const first = await json<{ id: string }>(await bookLimited(onDay(before, 0)[0]!), 201);
    // One of two on Monday: Monday's other slots are still offered, and bookable.
    const afterOne = await signedIn();
    expect(onDay(afterOne, 0).length).toBeGreaterThan(5);
    await json(await bookLimited(onDay(afterOne, 0).at(-1)!), 201);
    // Two of two: Monday is gone from both lists, Tuesday stays.
    const full = await signedIn();
    expect(onDay(full, 0)).toEqual([]);
    expect(onDay(full, 1).length).toBeGreaterThan(10);
    expect(await publicly()).toEqual(full);
    // A Monday time it hides is refused, with alternatives on other days only and a detail naming the limit.
    const hidden = onDay(before, 0).find((start) => !full.includes(start) && Date.parse(start) > Date.parse(onDay(before, 0)[0]!) + 3_600_000)!;
    const refused = await json<{ code: string; detail: string; alternatives: { start: string }[] }>(await bookLimited(hidden), 409);
    expect(refused.code).toBe('booking.slot_unavailable');
    expect(refused.detail).toMatch(/limit/);
    expect(refused.alternatives.length).toBeGreaterThan(0);
    expect(refused.alternatives.every((alternative) => dayOf(alternative.start) !== 0)).toBe(true);
    // The third of the week (weekly limit 3) on Tuesday; then the whole week is gone.
    const tuesday = await json<{ id: string }>(await bookLimited(onDay(full, 1)[0]!), 201);
    expect(await signedIn()).toEqual([]);
    expect(await publicly()).toEqual([]);
    // Tuesday's booking cannot move onto the full Monday, but can move to Thursday (it leaves its own place).
    const movedOnto = await json<{ code: string; detail: string }>(await stack.api(`/v1/bookings/${tuesday.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: hidden }) }), 409);
    expect(movedOnto.detail).toMatch(/limit/);
    await json(await stack.api(`/v1/bookings/${tuesday.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: onDay(before, 3)[4] }) }), 200);
    // Moving Monday's first booking within Monday is allowed (it does not count against itself)...
    const sameDay = onDay(before, 0).find((start) => start !== onDay(before, 0)[0] && start !== onDay(afterOne, 0).at(-1) && dayOf(start) === 0)!;
    await json(await stack.api(`/v1/bookings/${first.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: sameDay }) }), 200);
    // ...cancelling it gives the week one place back: Monday and the rest of the week reappear.
    await json(await stack.api(`/v1/bookings/${first.id}/cancel`, { method: 'POST', body: '{}' }), 200);
    const reopened = await signedIn();
    expect(onDay(reopened, 0).length).toBeGreaterThan(5);
    expect(onDay(reopened, 3).length).toBeGreaterThan(10);
    expect(await publicly()).toEqual(reopened);
  }, 120_000);

  it('answers bad input with 400 naming the field', async () => {
    const start = Date.parse(slots[12]!.start);
    const cases: [Record<string, unknown>, string][] = [
      [{ bookingTypeId, start: iso(start + 7 * 60_000), invitee }, 'body.start'],
      [{ bookingTypeId, start: iso(Date.now() - DAY), invitee }, 'body.start'],
      [{ bookingTypeId, start: iso(Date.now() + 400 * DAY), invitee }, 'body.start'],
      [{ bookingTypeId: 'bkt_01JB3Y6M2QH9N7S5V4T0W8X1ZA', start: iso(start), invitee }, 'body.bookingTypeId'],
      [{ bookingTypeId, start: iso(start), invitee: { ...invitee, email: 'not-an-address' } }, 'body.invitee.email'],
      [{ bookingTypeId, start: iso(start), invitee: { ...invitee, timeZone: 'Mars/Olympus' } }, 'body.invitee.timeZone'],
      [{ bookingTypeId, start: iso(start), invitee: { ...invitee, name: 'Eve\r\nBcc: all@example.com' } }, 'body.invitee.name'],
      [{ bookingTypeId, start: iso(start), invitee, recurrence: { rrule: 'FREQ=HOURLY;COUNT=3' } }, 'body.recurrence.rrule'],
      [{ bookingTypeId, start: iso(start), invitee, recurrence: { rrule: 'FREQ=DAILY;COUNT=30' } }, 'body.recurrence.rrule'],
    ];
    for (const [body, field] of cases) {
      const problem = await json<{ errors: { field: string }[] }>(await book('', { body }), 400);
      expect(problem.errors.map((e) => e.field), JSON.stringify(body)).toContain(field);
    }
    expect((await stack.api('/v1/bookings/bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA')).status).toBe(404);
  }, 60_000);
});
