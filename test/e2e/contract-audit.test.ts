import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import { connectSandboxAccount } from '../support/sandbox-connect.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * An outside-in audit of scheduling.md §2–§5 through the local stack, as an acceptance test would drive it:
 * only HTTP, the `/local/*` routes and documented configuration. Expected values come from the contract text
 * (and, where busy time matters, from `/v1/free-busy` as an independent oracle), never from the code.
 */
const ENV = { ALLOW_INSECURE_WEBHOOK_URLS: '1', WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.6', WEBHOOK_TIMEOUT_MS: '1000' };
const saved: Record<string, string | undefined> = {};
let stack: TestStack;
let receiver: WebhookReceiver;
let otherToken: string;
let cal: string;
const MIN = 60_000;
const DAY = 86_400_000;

const post = (path: string, body: unknown, token?: string) => stack.api(path, { method: 'POST', body: JSON.stringify(body), token });

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  stack = await startTestStack({ sandbox: 'on' });
  receiver = await startWebhookReceiver();
  otherToken = await stack.tokenFor('audit-other-tenant');
  cal = (await connectSandboxAccount(stack, 'google')).calendarId;
}, 120_000);
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function schedule(timeZone: string, weekly: { day: string; start: string; end: string }[]): Promise<string> {
  return (await json<{ id: string }>(await post('/v1/schedules', { name: `audit ${timeZone}`, timeZone, weekly }), 201)).id;
}
async function busyOf(start: string, end: string): Promise<{ start: number; end: number }[]> {
  const { busy } = await json<{ busy: { start: string; end: string }[] }>(await stack.api(`/v1/free-busy?calendarIds=${cal}&start=${start}&end=${end}`));
  return busy.map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end) }));
}
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

describe('scheduling contract, outside in', () => {
  it('DST: a 02:30–04:00 range on the spring-forward day is shortened to 03:00–04:00, and the fall-back repeated hour counts twice', async () => {
    const sunday = await schedule('Europe/Berlin', [{ day: 'sun', start: '02:30', end: '04:00' }]);
    const query = (start: string, end: string, extra: object = {}) =>
      post('/v1/availability', { participants: [{ calendarIds: [cal], scheduleId: sunday }], start, end, durationMinutes: 30, ...extra });
    // 2027-03-28 Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 never exists; 03:00 CEST = 01:00Z.
    const spring = await json<{ slots: { start: string; end: string }[]; timeZone: string }>(await query('2027-03-27T00:00:00Z', '2027-03-29T00:00:00Z'));
    const busy = await busyOf('2027-03-27T00:00:00Z', '2027-03-29T00:00:00Z');
    const expected = ['2027-03-28T01:00:00Z', '2027-03-28T01:30:00Z'].filter((s) => !busy.some((b) => b.start < Date.parse(s) + 30 * MIN && b.end > Date.parse(s)));
    expect(spring.slots.map((s) => s.start)).toEqual(expected);
    expect(spring.timeZone).toBe('Europe/Berlin');
    // Shifted (02:30 read as 03:30 CEST = 01:30Z … 03:00Z) would have given a slot at 02:00Z or 02:30Z.
    // 2027-10-31 Berlin: 03:00 CEST falls back to 02:00 CET, so 02:30–03:00 happens twice (00:30Z and 01:30Z).
    const fall = await json<{ slots: { start: string }[] }>(await query('2027-10-30T00:00:00Z', '2027-11-01T00:00:00Z'));
    const fallBusy = await busyOf('2027-10-30T00:00:00Z', '2027-11-01T00:00:00Z');
    // Oracle (Intl, not the product's zone code): a slot counts when every minute of it has a Berlin wall time in
    // [02:30, 04:00); starts on the half hours of local wall time.
    const wall = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const inRange = (t: number) => {
      const hm = wall.format(new Date(t));
      return hm >= '02:30' && hm < '04:00';
    };
    const fallExpected: string[] = [];
    for (let t = Date.parse('2027-10-30T22:00:00Z'); t < Date.parse('2027-10-31T06:00:00Z'); t += 30 * MIN) {
      const whole = Array.from({ length: 30 }, (_, m) => t + m * MIN).every(inRange);
      if (whole && !fallBusy.some((b) => b.start < t + 30 * MIN && b.end > t)) fallExpected.push(new Date(t).toISOString().replace('.000', ''));
    }
    expect(fallExpected.length).toBeGreaterThanOrEqual(3); // the repeated 02:30–03:00 is there twice
    expect(fall.slots.map((s) => s.start)).toEqual(fallExpected);
    // The asker's zone is echoed, and the slots stay the same instants.
    const echoed = await json<{ slots: { start: string }[]; timeZone: string }>(await query('2027-03-27T00:00:00Z', '2027-03-29T00:00:00Z', { timeZone: 'America/New_York' }));
    expect(echoed.timeZone).toBe('America/New_York');
  });

  it('required:false participants never remove slots, and round_robin is "any one required participant free"', async () => {
    const day = '2027-02-06'; // a Saturday: the sandbox's own weekday meetings stay out of the way
    const wide = await schedule('UTC', [{ day: 'sat', start: '09:00', end: '12:00' }]);
    const narrow = await schedule('UTC', [{ day: 'sat', start: '09:00', end: '10:00' }]);
    const late = await schedule('UTC', [{ day: 'sat', start: '11:00', end: '13:00' }]);
    const range = { start: `${day}T00:00:00Z`, end: `${day}T23:59:00Z`, durationMinutes: 60 };
    const busy = await busyOf(range.start, range.end);
    const free = (s: string) => !busy.some((b) => b.start < Date.parse(s) + 60 * MIN && b.end > Date.parse(s));
    const grid = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${day}T${String(from + i).padStart(2, '0')}:00:00Z`).filter(free);

    type Slots = { slots: { start: string; participants: number[] }[] };
    const collective = await json<Slots>(await post('/v1/availability', { ...range, participants: [{ calendarIds: [cal], scheduleId: wide }, { calendarIds: [cal], scheduleId: narrow, required: false }] }));
    expect(collective.slots.map((s) => s.start)).toEqual(grid(9, 12));
    for (const slot of collective.slots) expect(slot.participants).toEqual(slot.start.includes('T09:') ? [0, 1] : [0]);

    const roundRobin = await json<Slots>(await post('/v1/availability', { ...range, mode: 'round_robin', participants: [{ calendarIds: [cal], scheduleId: narrow }, { calendarIds: [cal], scheduleId: late }] }));
    expect(roundRobin.slots.map((s) => s.start)).toEqual([...grid(9, 10), ...grid(11, 13)]);
    const bothRequired = await json<Slots>(await post('/v1/availability', { ...range, mode: 'collective', participants: [{ calendarIds: [cal], scheduleId: narrow }, { calendarIds: [cal], scheduleId: late }] }));
    expect(bothRequired.slots).toEqual([]);

    const capped = await json<Slots>(await post('/v1/availability', { ...range, participants: [{ calendarIds: [cal], scheduleId: wide }], durationMinutes: 15, maxResults: 2 }));
    expect(capped.slots.map((s) => s.start)).toEqual(collective.slots.length ? [`${day}T09:00:00Z`, `${day}T09:15:00Z`].filter((s) => !busy.some((b) => b.start < Date.parse(s) + 15 * MIN && b.end > Date.parse(s))).slice(0, 2) : []);
  });

  it('conflicts: outsideWorkingHours is true outside the schedule, and alternatives holds exactly N slots of the same length', async () => {
    const hours = await schedule('UTC', ALL_DAYS.map((day) => ({ day, start: '09:00', end: '17:00' })));
    const day = Math.floor(Date.now() / DAY) * DAY + 10 * DAY;
    const proposal = { calendarIds: [cal], start: new Date(day + 20 * 3_600_000).toISOString(), end: new Date(day + 20.5 * 3_600_000).toISOString(), scheduleId: hours };
    for (const n of [1, 5]) {
      const answer = await json<{ outsideWorkingHours: boolean; alternatives: { start: string; end: string }[]; conflicts: unknown[] }>(await post('/v1/conflicts', { ...proposal, alternatives: n }));
      expect(answer.outsideWorkingHours).toBe(true);
      expect(answer.alternatives).toHaveLength(n);
      for (const alt of answer.alternatives) {
        expect(Date.parse(alt.end) - Date.parse(alt.start)).toBe(30 * MIN);
        const hour = new Date(alt.start).getUTCHours();
        expect(hour >= 9 && hour < 17, alt.start).toBe(true);
      }
    }
    const inside = await json<{ outsideWorkingHours: boolean }>(await post('/v1/conflicts', { ...proposal, start: new Date(day + 10 * 3_600_000).toISOString(), end: new Date(day + 10.5 * 3_600_000).toISOString() }));
    expect(inside.outsideWorkingHours).toBe(false);
    const bad = await stack.api('/v1/conflicts', { method: 'POST', body: JSON.stringify({ ...proposal, alternatives: 21 }) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('body.alternatives');
  });

  it('booking-type slots (private and public) answer 400 naming query.timeZone for a zone that does not exist, never 500', async () => {
    const hours = await schedule('UTC', ALL_DAYS.map((day) => ({ day, start: '09:00', end: '17:00' })));
    const type = await json<{ id: string; publicId: string }>(
      await post('/v1/booking-types', { name: 'Zone check', durationMinutes: 30, assignment: 'collective', public: true, hosts: [{ calendarIds: [cal], scheduleId: hours, writeCalendarId: cal }] }),
      201,
    );
    const from = new Date(Math.floor(Date.now() / DAY) * DAY + 2 * DAY).toISOString();
    const to = new Date(Math.floor(Date.now() / DAY) * DAY + 3 * DAY).toISOString();
    for (const response of [
      await stack.api(`/v1/booking-types/${type.id}/slots?start=${from}&end=${to}&timeZone=Mars/Olympus`),
      await fetch(`${stack.url}/v1/public/booking-types/${type.publicId}/slots?start=${from}&end=${to}&timeZone=Mars/Olympus`),
    ]) {
      expect(response.status, await response.clone().text()).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.timeZone');
    }
    const ok = await json<{ timeZone: string; slots: unknown[] }>(await stack.api(`/v1/booking-types/${type.id}/slots?start=${from}&end=${to}&timeZone=Asia/Kolkata`));
    expect(ok.timeZone).toBe('Asia/Kolkata');
  });

  it('booking types refuse calendars, schedules and rooms the tenant does not have: 404 naming the field (another tenant\'s ids included)', async () => {
    const hours = await schedule('UTC', ALL_DAYS.map((day) => ({ day, start: '09:00', end: '17:00' })));
    const host = { calendarIds: [cal], scheduleId: hours, writeCalendarId: cal };
    const base = { name: 'Refs', durationMinutes: 30, assignment: 'collective' };
    const missingSchedule = 'sch_01M993AAK26XB6REYMFJGEQ0A9';
    const missingCalendar = 'cal_01M993AAK26XB6REYMFJGEQ0A9';
    const cases: [string, unknown, string | null][] = [
      ['another tenant\'s calendar and schedule', { ...base, hosts: [host] }, 'body.hosts[0].calendarIds[0]'],
    ];
    for (const [what, body, field] of cases) {
      const response = await post('/v1/booking-types', body, otherToken);
      expect(response.status, `${what}: ${await response.clone().text()}`).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(field);
    }
    expect((await json<{ items: unknown[] }>(await stack.api('/v1/booking-types', { token: otherToken }))).items).toEqual([]);
    for (const [body, field] of [
      [{ ...base, hosts: [{ ...host, scheduleId: missingSchedule }] }, 'body.hosts[0].scheduleId'],
      [{ ...base, hosts: [host, { calendarIds: [missingCalendar], scheduleId: hours, writeCalendarId: missingCalendar }] }, 'body.hosts[1].calendarIds[0]'],
      [{ ...base, hosts: [host], rooms: [{ calendarId: missingCalendar }] }, 'body.rooms[0].calendarId'],
    ] as const) {
      const response = await post('/v1/booking-types', body);
      expect(response.status, await response.clone().text()).toBe(404);
      expect(((await response.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe(field);
    }
    const created = await json<{ id: string }>(await post('/v1/booking-types', { ...base, hosts: [host] }), 201);
    const patched = await stack.api(`/v1/booking-types/${created.id}`, { method: 'PATCH', body: JSON.stringify({ hosts: [{ ...host, scheduleId: missingSchedule }] }) });
    expect(patched.status, await patched.clone().text()).toBe(404);
    expect(((await patched.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('body.hosts[0].scheduleId');
    expect((await stack.api(`/v1/booking-types/${created.id}`, { method: 'PATCH', body: JSON.stringify({ name: 'Renamed' }) })).status).toBe(200);
  });

  it('bookings: webhook endpoints receive booking.created / rescheduled / cancelled with source "api"; other tenants get 404 problems', async () => {
    const endpoint = await json<{ id: string }>(await post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['booking.*'] }), 201);
    const hours = await schedule('UTC', ALL_DAYS.map((day) => ({ day, start: '00:00', end: '24:00' })));
    const type = await json<{ id: string }>(
      await post('/v1/booking-types', { name: 'Audit call', durationMinutes: 30, assignment: 'collective', conference: 'none', hosts: [{ calendarIds: [cal], scheduleId: hours, writeCalendarId: cal }] }),
      201,
    );
    const from = new Date(Math.floor(Date.now() / DAY) * DAY + 20 * DAY).toISOString();
    const to = new Date(Math.floor(Date.now() / DAY) * DAY + 22 * DAY).toISOString();
    const { slots } = await json<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${type.id}/slots?start=${from}&end=${to}`));
    expect(slots.length).toBeGreaterThan(3);
    const booking = await json<{ id: string; status: string; providerEvents: { calendarId: string; eventId: string }[]; conference: unknown }>(
      await post('/v1/bookings', { bookingTypeId: type.id, start: slots[0]!.start, invitee: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/Berlin' } }),
      201,
    );
    expect(booking.status).toBe('confirmed');
    expect(booking.providerEvents).toEqual([{ calendarId: cal, eventId: expect.stringMatching(/^evt_/) }]);
    expect((await post(`/v1/bookings/${booking.id}/reschedule`, { start: slots[3]!.start })).status).toBe(200);
    expect((await post(`/v1/bookings/${booking.id}/cancel`, { reason: 'audit' })).status).toBe(200);

    const ofBooking = (all: readonly ReceivedDelivery[]) =>
      all.flatMap((d) => {
        const body = JSON.parse(d.body) as { type: string; data?: { source?: string; booking?: { id?: string } } };
        return body.data?.booking?.id === booking.id ? [[body.type, body.data.source]] : [];
      });
    await receiver.waitFor((all) => ofBooking(all).length >= 3, 20_000);
    expect(ofBooking(await receiverDeliveries())).toEqual([
      ['booking.created', 'api'],
      ['booking.rescheduled', 'api'],
      ['booking.cancelled', 'api'],
    ]);
    expect((await stack.api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE' })).status).toBe(204);

    for (const [path, init] of [
      [`/v1/bookings/${booking.id}`, {}],
      [`/v1/booking-types/${type.id}`, {}],
      [`/v1/booking-types/${type.id}/slots?start=${from}&end=${to}`, {}],
      [`/v1/schedules/${hours}`, {}],
      [`/v1/bookings/${booking.id}/reschedule`, { method: 'POST', body: JSON.stringify({ start: slots[1]!.start }) }],
      [`/v1/bookings/${booking.id}/cancel`, { method: 'POST', body: '{}' }],
    ] as const) {
      const response = await stack.api(path, { ...init, token: otherToken });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/problem+json');
    }
    const listed = await json<{ items: { id: string }[] }>(await stack.api('/v1/bookings', { token: otherToken }));
    expect(listed.items).toEqual([]);
  });
});

let lastDeliveries: readonly ReceivedDelivery[] = [];
async function receiverDeliveries(): Promise<readonly ReceivedDelivery[]> {
  await receiver.waitFor((all) => {
    lastDeliveries = all;
    return true;
  });
  return lastDeliveries;
}
