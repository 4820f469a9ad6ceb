import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { connectSandboxAccount } from '../support/sandbox-connect.ts';
import { json } from '../support/json-response.ts';

/**
 * Daily and weekly limits under concurrency, through the local stack on DynamoDB Local: N bookings sent at
 * once at *different* times (so the time claims never collide) with fewer places left than requests. The
 * truth is counted twice: our confirmed bookings and the events the Google simulator holds.
 */
let stack: TestStack;
let calendarId: string;
let scheduleId: string;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
// A Monday three weeks out, clear of the sandbox's seeded events.
const today = Math.floor(Date.now() / DAY) * DAY;
const monday = today + 21 * DAY + ((8 - new Date(today + 21 * DAY).getUTCDay()) % 7) * DAY;

async function limitedType(name: string, limits: { dailyLimit?: number; weeklyLimit?: number }, extra: Record<string, unknown> = {}): Promise<string> {
  const body = { name, durationMinutes: 30, assignment: 'collective', ...limits, ...extra, hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }] };
  return (await json<{ id: string }>(await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify(body) }), 201)).id;
}

/** Sends every booking at once; answers the statuses and the problems' codes. */
async function bookAll(bookingTypeId: string, starts: number[]): Promise<{ status: number; code?: string }[]> {
  return Promise.all(
    starts.map(async (startMs, n) => {
      const response = await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId, start: iso(startMs), invitee: { name: `Racer ${n}`, email: `racer${n}@example.com`, timeZone: 'UTC' } }) });
      const body = (await response.json()) as { code?: string };
      return { status: response.status, ...(body.code ? { code: body.code } : {}) };
    }),
  );
}

const confirmedOf = async (bookingTypeId: string) =>
  (await json<{ items: { bookingTypeId: string; status: string }[] }>(await stack.api(`/v1/bookings?bookingTypeId=${bookingTypeId}&limit=100`), 200)).items.filter((b) => b.bookingTypeId === bookingTypeId && b.status === 'confirmed');
const googleEventsTitled = (prefix: string) => sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).filter((e) => e.status !== 'cancelled' && e.summary?.startsWith(prefix));

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  calendarId = (await connectSandboxAccount(stack, 'google')).calendarId;
  const weekly = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  scheduleId = (await json<{ id: string }>(await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly }) }), 201)).id;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('limits hold under concurrent bookings', () => {
  it('dailyLimit 2: of six bookings sent at once at six times of one day, exactly two are made', async () => {
    const typeId = await limitedType('Daily race', { dailyLimit: 2 });
    const answers = await bookAll(typeId, [9, 10, 11, 12, 13, 14].map((h) => monday + h * HOUR));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2);
    // The rest: the limit (409 with alternatives), or asked to retry while another held the turn.
    for (const refused of answers.filter((a) => a.status !== 201)) expect(refused).toMatchObject({ status: 409 });
    expect(await confirmedOf(typeId)).toHaveLength(2);
    expect(googleEventsTitled('Daily race:')).toHaveLength(2);
  }, 60_000);

  it('weeklyLimit 3: of seven bookings sent at once on seven days of one week, exactly three are made', async () => {
    const typeId = await limitedType('Weekly race', { weeklyLimit: 3 });
    const answers = await bookAll(typeId, [0, 1, 2, 3, 4, 5, 6].map((d) => monday + 7 * DAY + d * DAY + 15 * HOUR));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    expect(await confirmedOf(typeId)).toHaveLength(3);
    expect(googleEventsTitled('Weekly race:')).toHaveLength(3);
  }, 60_000);

  it('a recurring booking moved as a whole onto a day at its limit is refused; onto a free day it moves', async () => {
    const typeId = await limitedType('Series limit', { dailyLimit: 1 }, { recurrence: { allowed: true, maxOccurrences: 4 } });
    const wednesday = monday + 14 * DAY + 2 * DAY;
    const book = (body: Record<string, unknown>) => stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: typeId, invitee: { name: 'Sam', email: 'sam@example.com', timeZone: 'UTC' }, ...body }) });
    await json(await book({ start: iso(wednesday + 10 * HOUR) }), 201);
    const series = await json<{ id: string }>(await book({ start: iso(wednesday - DAY + 10 * HOUR), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=2' } }), 201);
    const move = (startMs: number) => stack.api(`/v1/bookings/${series.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: iso(startMs) }) });
    // Tuesday → Wednesday at another hour: that Wednesday already holds its one booking.
    const refused = await json<{ code: string; detail: string }>(await move(wednesday + 14 * HOUR), 409);
    expect(refused.detail).toMatch(/limit/);
    const moved = await json<{ occurrences: { start: string }[] }>(await move(wednesday + DAY + 14 * HOUR), 200);
    expect(moved.occurrences.map((o) => Date.parse(o.start))).toEqual([wednesday + DAY + 14 * HOUR, wednesday + 8 * DAY + 14 * HOUR]);
  }, 60_000);
});
