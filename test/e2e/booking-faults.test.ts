import { QueryCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventBridgeEnvelope } from '../../infra/local/local-event-bus.ts';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { setRuntimeOverrides } from '../../shared/runtime/deps/overrides.ts';
import { claimKey, DynamoBookingClaimStore } from '../../shared/storage/dynamo-booking-claim-store.ts';
import { DynamoIdempotencyStore } from '../../shared/storage/dynamo-idempotency-store.ts';
import { bookingIdFor, CLAIM_LEASE_MS } from '../../shared/use-cases/bookings/booking-rules.ts';
import { IDEMPOTENCY_LEASE_SECONDS } from '../../shared/use-cases/events/idempotent-request.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * Bookings under faults and contention on the local stack (DynamoDB Local, the Google simulator; issue 12
 * item 4, reliability scenarios 20–22). A crash is the request stopping dead at a point — the handler's
 * promise never settles, so no catch, no release, no cleanup of any kind runs, as when Lambda is killed —
 * and the client giving up on its answer. Time is moved with the runtime clock (set before the first
 * request, so every store takes it): the retry comes after the Idempotency-Key's lease, the orphan
 * reconciler after the claim lease. Truth is counted at the simulator and read from DynamoDB Local.
 */
let stack: TestStack;
let doc: DynamoDBDocumentClient;
let tableName: string;
const shift = { ms: 0 };
const published: DomainEvent[] = [];
const DAY = 86_400_000;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const z = (ms: number) => iso(ms).replace('.000Z', 'Z');
const HOST_B = 'host-b@example.com';
const HOST_C = 'host-c@example.com';
const ROOM = 'room-1@resource.example.com';
const calendarIds: Record<string, string> = {};
const types: Record<string, string> = {};
const dayStart = Math.floor(Date.now() / DAY) * DAY;

const invitee = (name: string) => ({ name, email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}@example.com`, timeZone: 'Europe/Berlin' });

function book(type: string, start: string, init: { key?: string; name?: string; rrule?: string; signal?: AbortSignal } = {}): Promise<Response> {
  return stack.api('/v1/bookings', {
    method: 'POST',
    body: JSON.stringify({ bookingTypeId: types[type], start, invitee: invitee(init.name ?? 'Ines Invitee'), ...(init.rrule ? { recurrence: { rrule: init.rrule } } : {}) }),
    headers: init.key ? { 'idempotency-key': init.key } : {},
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** Live (not cancelled) events at the simulator whose title starts with `prefix`, on the given Google calendars. */
function atProvider(prefix: string, googleCalendars: string[] = [SANDBOX_GOOGLE_USER]): { id: string; start: string; summary: string }[] {
  return googleCalendars.flatMap((calendar) =>
    sandboxSimulators
      .google!.truth(calendar)
      .filter((event) => event.summary?.startsWith(prefix) && event.status !== 'cancelled')
      .map((event) => ({ id: event.id, start: iso(Date.parse(event.start!.dateTime!)), summary: event.summary! })),
  );
}

/** Claim items of one of our calendars (as a claim resource) overlapping [fromMs, toMs). */
async function claimsOn(calendarId: string, fromMs: number, toMs: number): Promise<{ bookingId: string; state: string; sk: string }[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': claimKey(stack.devTenantId, `cal:${calendarId}`, 0).pk, ':from': claimKey('', '', fromMs).sk, ':to': claimKey('', '', toMs - 1).sk },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as { bookingId: string; state: string; sk: string }[];
}

const createdFor = (bookingId: string) => published.filter((e) => e.type === 'booking.created' && (e.data as { booking: { id: string } }).booking.id === bookingId);

/** The first free slot start of a type on the given day (whole day, UTC) at or after `fromHour`. */
async function freeSlot(type: string, day: number, fromHour = 0): Promise<number> {
  const slots = (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${types[type]}/slots?start=${iso(dayStart + day * DAY)}&end=${iso(dayStart + (day + 1) * DAY)}`), 200)).slots;
  const found = slots.map((s) => Date.parse(s.start)).find((t) => t >= dayStart + day * DAY + fromHour * 3_600_000);
  expect(found, `a free slot of ${type} on day +${day}`).toBeDefined();
  return found!;
}

type Point = 'after-claim' | 'after-provider-write' | 'before-201';

/**
 * Arms a crash of the request for `bookingId` at `point`: the request stops dead there (a promise that never
 * settles: the code after it, catch and finally included, never runs). Resolves once it has happened.
 */
let disarm = (): void => {};
function armCrash(point: Point, bookingId: string): Promise<void> {
  return new Promise<void>((crashed) => {
    const dead = (): Promise<never> => {
      crashed();
      return new Promise<never>(() => {});
    };
    if (point === 'after-claim') {
      const original = DynamoBookingClaimStore.prototype.claim;
      disarm = () => void (DynamoBookingClaimStore.prototype.claim = original);
      DynamoBookingClaimStore.prototype.claim = async function (request) {
        const result = await original.call(this, request);
        if (request.bookingId !== bookingId || !result.ok) return result;
        DynamoBookingClaimStore.prototype.claim = original;
        return dead();
      };
    } else if (point === 'after-provider-write') {
      // confirm is the first thing after the provider write (and its mirror into the store) returned.
      const original = DynamoBookingClaimStore.prototype.confirm;
      disarm = () => void (DynamoBookingClaimStore.prototype.confirm = original);
      DynamoBookingClaimStore.prototype.confirm = async function (request) {
        if (request.bookingId !== bookingId) return original.call(this, request);
        DynamoBookingClaimStore.prototype.confirm = original;
        return dead();
      };
    } else {
      // The booking is stored and announced; the answer is not recorded for the key, the 201 never leaves.
      const original = DynamoIdempotencyStore.prototype.complete;
      disarm = () => void (DynamoIdempotencyStore.prototype.complete = original);
      DynamoIdempotencyStore.prototype.complete = async function () {
        DynamoIdempotencyStore.prototype.complete = original;
        return dead();
      };
    }
  });
}

/** A booking request that crashes at `point`: the client gives up on it once the crash has happened. */
async function crashedRequest(point: Point, type: string, start: string, key: string, name: string): Promise<void> {
  const crashed = armCrash(point, bookingIdFor(stack.devTenantId, key, () => ''));
  const controller = new AbortController();
  const request = book(type, start, { key, name, signal: controller.signal }).catch((error: unknown) => error);
  const first = await Promise.race([crashed.then(() => 'crashed' as const), request]);
  disarm();
  if (first instanceof Response) throw new Error(`the request finished (${first.status} ${await first.text()}) instead of crashing at ${point}`);
  controller.abort();
  expect(await request).toBeInstanceOf(Error);
}

/** Re-delivers a domain event to the booking-lifecycle queue (SQS delivers at least once) and waits for it. */
async function redeliver(event: DomainEvent): Promise<void> {
  const queue = stack.queues['booking-lifecycle']!;
  queue.sendRaw(JSON.stringify(toEventBridgeEnvelope(event)));
  await queue.waitUntilIdle(20_000);
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  // Before the first request: every store made from here on reads this clock.
  setRuntimeOverrides({ clock: { now: () => new Date(Date.now() + shift.ms) } });
  stack.bus.subscribe((event) => {
    if (event.type.startsWith('booking.') || event.type === 'calendar.event.created') published.push(event);
  });
  tableName = process.env.TABLE_NAME!;
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const google = sandboxSimulators.google!;
  for (const [id, summary] of [[HOST_B, 'Host B'], [HOST_C, 'Host C'], [ROOM, 'Room 1']] as const) google.createCalendar(SANDBOX_GOOGLE_USER, { id, summary, timeZone: 'UTC' });

  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; providerCalendarId: string; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.length >= 4 && list.every((c) => c.lastSyncedAt) ? list : null;
  }, 60_000);
  for (const calendar of calendars) calendarIds[calendar.providerCalendarId] = calendar.id;
  const schedule = await json<{ id: string }>(
    await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
    201,
  );
  const host = (google: string) => ({ calendarIds: [calendarIds[google]!], scheduleId: schedule.id, writeCalendarId: calendarIds[google]! });
  const specs: Record<string, Record<string, unknown>> = {
    Faults: { durationMinutes: 30, hosts: [host(SANDBOX_GOOGLE_USER)] },
    Short: { durationMinutes: 30, hosts: [host(SANDBOX_GOOGLE_USER)] },
    Long: { durationMinutes: 60, hosts: [host(SANDBOX_GOOGLE_USER)] },
    'Room X': { durationMinutes: 30, hosts: [host(HOST_B)], rooms: [{ calendarId: calendarIds[ROOM]! }] },
    'Room Y': { durationMinutes: 30, hosts: [host(HOST_C)], rooms: [{ calendarId: calendarIds[ROOM]! }] },
    Series: { durationMinutes: 30, hosts: [host(HOST_B)], recurrence: { allowed: true, maxOccurrences: 10 } },
  };
  for (const [name, spec] of Object.entries(specs)) {
    types[name] = (await json<{ id: string }>(await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name, assignment: 'collective', ...spec }) }), 201)).id;
  }
}, 120_000);
afterAll(async () => {
  doc?.destroy();
  await stack?.stop();
});

describe('crash safety: a crash at each step, then the retry with the same Idempotency-Key', () => {
  const cases: [Point, number][] = [
    ['after-claim', 30],
    ['after-provider-write', 31],
    ['before-201', 32],
  ];
  for (const [point, day] of cases) {
    it(`${point}: one booking, one provider event, one booking.created; nothing left claimed`, async () => {
      const start = await freeSlot('Faults', day, 9);
      const key = `crash-${point}`;
      const name = `Crash ${point}`;
      const bookingId = bookingIdFor(stack.devTenantId, key, () => '');
      await crashedRequest(point, 'Faults', iso(start), key, name);

      // What the crash left behind.
      const left = await claimsOn(calendarIds[SANDBOX_GOOGLE_USER]!, start, start + 30 * MIN);
      expect(left.map((c) => c.bookingId)).toEqual(Array(6).fill(bookingId));
      expect(atProvider(`Faults: ${name}`)).toHaveLength(point === 'after-claim' ? 0 : 1);
      expect((await stack.api(`/v1/bookings/${bookingId}`)).status).toBe(point === 'before-201' ? 200 : 404);

      // The client retries once the first request's Idempotency-Key lease has passed (before that: 409 in progress).
      expect((await book('Faults', iso(start), { key, name })).status).toBe(409);
      shift.ms += (IDEMPOTENCY_LEASE_SECONDS + 1) * 1000;
      const retried = await json<{ id: string; status: string; start: string; providerEvents: { eventId: string }[] }>(await book('Faults', iso(start), { key, name }), 201);
      expect(retried).toMatchObject({ id: bookingId, status: 'confirmed', start: z(start) });
      expect(retried.providerEvents).toHaveLength(1);
      // A third request with the key replays the stored answer.
      const replay = await book('Faults', iso(start), { key, name });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');

      expect(atProvider(`Faults: ${name}`)).toEqual([expect.objectContaining({ start: iso(start) })]);
      expect(createdFor(bookingId)).toHaveLength(1);
      const held = await claimsOn(calendarIds[SANDBOX_GOOGLE_USER]!, start - DAY / 2, start + DAY / 2);
      expect(held.map((c) => [c.bookingId, c.state])).toEqual(Array(6).fill([bookingId, 'confirmed']));
      // The time is taken: another booking of it is refused.
      expect((await book('Faults', iso(start), { name: 'Someone Else' })).status).toBe(409);
    }, 120_000);
  }
});

describe('orphans: a provider event with our booking marker and no booking', () => {
  it('is adopted once the attempt\'s lease has passed (the invitee was invited): one booking, the key replays it', async () => {
    const start = await freeSlot('Faults', 33, 9);
    const key = 'orphan-adopted';
    const name = 'Orphan Adopted';
    const bookingId = bookingIdFor(stack.devTenantId, key, () => '');
    await crashedRequest('after-provider-write', 'Faults', iso(start), key, name);
    const created = await eventually(async () => published.find((e) => e.type === 'calendar.event.created' && (e.data as { event: { title: string } }).event.title === `Faults: ${name}`), 10_000);
    expect(atProvider(`Faults: ${name}`)).toHaveLength(1);
    // While the lease runs the attempt may still finish: the reconciler leaves it (and looks again later).
    await redeliver(created);
    expect((await stack.api(`/v1/bookings/${bookingId}`)).status).toBe(404);

    shift.ms += CLAIM_LEASE_MS + 10_000;
    await redeliver(created);
    const adopted = await json<{ id: string; status: string; start: string; invitee: { name: string } }>(await stack.api(`/v1/bookings/${bookingId}`), 200);
    expect(adopted).toMatchObject({ status: 'confirmed', start: z(start), invitee: { name } });
    expect(createdFor(bookingId)).toHaveLength(1);
    expect(atProvider(`Faults: ${name}`)).toHaveLength(1);
    expect((await claimsOn(calendarIds[SANDBOX_GOOGLE_USER]!, start, start + 30 * MIN)).map((c) => [c.bookingId, c.state])).toEqual(Array(6).fill([bookingId, 'confirmed']));
    // Delivered again (at least once): nothing more happens.
    await redeliver(created);
    expect(createdFor(bookingId)).toHaveLength(1);
    // The caller's late retry with the same key gets the adopted booking.
    expect((await json<{ id: string }>(await book('Faults', iso(start), { key, name }), 201)).id).toBe(bookingId);
    expect(atProvider(`Faults: ${name}`)).toHaveLength(1);

    // A marker naming no attempt of ours (anyone can type one into a description) leaves the event alone.
    const stranger = { ...created, id: `${created.id}-stranger`, data: { ...created.data, event: { ...(created.data as { event: object }).event, description: 'Booking bkg_0000000000000000000000STRA' } } } as DomainEvent;
    await redeliver(stranger);
    expect(atProvider(`Faults: ${name}`)).toHaveLength(1);
    expect((await json<{ status: string }>(await stack.api(`/v1/bookings/${bookingId}`), 200)).status).toBe('confirmed');
  }, 120_000);

  it('is deleted when its time went to another booking after the lease (keeping it would double-book)', async () => {
    const start = await freeSlot('Faults', 34, 9);
    const key = 'orphan-deleted';
    const name = 'Orphan Deleted';
    const bookingId = bookingIdFor(stack.devTenantId, key, () => '');
    await crashedRequest('after-provider-write', 'Faults', iso(start), key, name);
    const created = await eventually(async () => published.find((e) => e.type === 'calendar.event.created' && (e.data as { event: { title: string } }).event.title === `Faults: ${name}`), 10_000);
    shift.ms += CLAIM_LEASE_MS + 10_000;
    // Another booking takes over the expired lease of the crashed attempt (here straight at the claim store).
    const claims = new DynamoBookingClaimStore({ doc, tableName });
    const resources = [`cal:${calendarIds[SANDBOX_GOOGLE_USER]}`];
    const ranges = [{ startMs: start, endMs: start + 30 * MIN }];
    const nowMs = Date.now() + shift.ms;
    expect(await claims.claim({ tenantId: stack.devTenantId, bookingId: 'bkg_OTHER', resources, ranges, leaseUntilMs: nowMs + CLAIM_LEASE_MS, nowMs })).toEqual({ ok: true });

    await redeliver(created);
    expect(atProvider(`Faults: ${name}`)).toEqual([]);
    expect((await stack.api(`/v1/bookings/${bookingId}`)).status).toBe(404);
    expect(createdFor(bookingId)).toHaveLength(0);
    expect(new Set((await claimsOn(calendarIds[SANDBOX_GOOGLE_USER]!, start, start + 30 * MIN)).map((c) => c.bookingId))).toEqual(new Set(['bkg_OTHER']));
    await claims.release({ tenantId: stack.devTenantId, bookingId: 'bkg_OTHER', resources, ranges });
  }, 120_000);
});

describe('concurrency variants (50 concurrent requests each)', () => {
  it('two booking types sharing one host: exactly one 201 across both, one provider event', async () => {
    const start = await freeSlot('Long', 36, 9);
    // Long 09:00–10:00 and Short 09:30–10:00 overlap on the one host.
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? book('Long', iso(start), { name: `Shared ${i}` }) : book('Short', iso(start + 30 * MIN), { name: `Shared ${i}` }))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201), `${statuses.join(' ')}: ${await answers.find((a) => a.status !== 409)?.clone().text()}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const events = [...atProvider('Long: Shared'), ...atProvider('Short: Shared')];
    expect(events).toHaveLength(1);
    const winner = (await answers.find((a) => a.status === 201)!.json()) as { id: string };
    expect(new Set((await claimsOn(calendarIds[SANDBOX_GOOGLE_USER]!, start, start + 60 * MIN)).map((c) => c.bookingId))).toEqual(new Set([winner.id]));
  }, 120_000);

  it('two booking types with different hosts sharing one room: exactly one 201, the room claimed once', async () => {
    const start = await freeSlot('Room X', 37, 9);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => book(i % 2 ? 'Room X' : 'Room Y', iso(start), { name: `Roomie ${i}` })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201), `${statuses.join(' ')}: ${await answers.find((a) => a.status !== 409)?.clone().text()}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect([...atProvider('Room X: Roomie', [HOST_B]), ...atProvider('Room Y: Roomie', [HOST_C])]).toHaveLength(1);
    const winner = (await answers.find((a) => a.status === 201)!.json()) as { id: string; room: { calendarId: string } };
    expect(winner.room.calendarId).toBe(calendarIds[ROOM]);
    expect(new Set((await claimsOn(calendarIds[ROOM]!, start, start + 30 * MIN)).map((c) => c.bookingId))).toEqual(new Set([winner.id]));
    // The losing host holds nothing.
    for (const hostCalendar of [HOST_B, HOST_C]) {
      expect((await claimsOn(calendarIds[hostCalendar]!, start, start + 30 * MIN)).every((c) => c.bookingId === winner.id)).toBe(true);
    }
  }, 120_000);

  it('recurring bookings racing a booking of their 5th occurrence: one 201; a refused series names that occurrence and holds nothing', async () => {
    const base = await freeSlot('Series', 40, 9);
    const fifth = base + 4 * DAY;
    const rrule = 'FREQ=DAILY;COUNT=6';
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? book('Series', iso(base), { rrule, name: `Racer ${i}` }) : book('Series', iso(fifth), { name: `Racer ${i}` }))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201), `${statuses.join(' ')}: ${await answers.find((a) => a.status !== 409)?.clone().text()}`).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const winnerIndex = statuses.indexOf(201);
    const winner = (await answers[winnerIndex]!.json()) as { id: string; occurrences?: unknown[] };
    const seriesWon = winnerIndex % 2 === 1;
    expect(winner.occurrences?.length ?? 1).toBe(seriesWon ? 6 : 1);
    if (!seriesWon) {
      for (const [i, answer] of answers.entries()) {
        if (i % 2 === 0 || i === winnerIndex) continue;
        const refused = (await answer.json()) as { code: string; conflicts: { start: string }[] };
        expect(refused.code).toBe('booking.slot_unavailable');
        expect(refused.conflicts.map((c) => c.start)).toEqual([z(fifth)]);
      }
    }
    expect(atProvider('Series: Racer', [HOST_B])).toHaveLength(1);
    const held = await claimsOn(calendarIds[HOST_B]!, base, base + 6 * DAY);
    expect(new Set(held.map((c) => c.bookingId))).toEqual(new Set([winner.id]));
    expect(held).toHaveLength(seriesWon ? 36 : 6);

    // And once that single booking exists, 50 concurrent series colliding in their 5th occurrence all get
    // 409 naming exactly it, and nothing of theirs is claimed.
    const base2 = await freeSlot('Series', 48, 9);
    const single = await json<{ id: string }>(await book('Series', iso(base2 + 4 * DAY), { name: 'Fifth Holder' }), 201);
    const refusals = await Promise.all(Array.from({ length: 50 }, (_, i) => book('Series', iso(base2), { rrule, name: `Late ${i}` })));
    for (const refusal of refusals) expect((await json<{ conflicts: { start: string }[] }>(refusal, 409)).conflicts.map((c) => c.start)).toEqual([z(base2 + 4 * DAY)]);
    expect(new Set((await claimsOn(calendarIds[HOST_B]!, base2, base2 + 6 * DAY)).map((c) => c.bookingId))).toEqual(new Set([single.id]));
  }, 120_000);
});
