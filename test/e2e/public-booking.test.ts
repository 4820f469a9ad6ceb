import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { runtimeOverrides } from '../../shared/runtime/deps/overrides.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * Public booking pages on the local stack (scheduling.md §2 "Public", issue 12 item 8): no JWT, DynamoDB
 * Local, the Google simulator as the host's calendar. Requests go out from chosen loopback addresses
 * (127.0.0.0/8), so each test has its own per-client bucket, as distinct invitees would. Every public reply
 * is kept and deep-scanned at the end for host data.
 */
let stack: TestStack;
let publicId: string;
let bookingTypeId: string;
let calendarId: string;
let scheduleId: string;
let connectionId: string;
let slots: { start: string; end: string }[];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const invitee = { name: 'Ines Invitee', email: 'ines.public@example.com', timeZone: 'Europe/Berlin' };
const otherInvitee = { name: 'Otto Other', email: 'otto.other@example.com', timeZone: 'UTC' };
/** Every public reply body, for the deep scan. */
const publicReplies: string[] = [];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

/** A request without any token, from `from` (a loopback address: the client address the stack sees). */
function call(pathname: string, init: { method?: string; body?: unknown; from?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const payload = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: stack.port,
        path: pathname,
        method: init.method ?? 'GET',
        localAddress: init.from ?? '127.0.0.1',
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...init.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (pathname.startsWith('/v1/public/')) publicReplies.push(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T,>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function expectStatus(reply: Reply, status: number): Reply {
  expect(reply.status, reply.text).toBe(status);
  return reply;
}

async function tenantJson<T>(response: Response, status: number): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}

/** The host's events at the simulator, not cancelled. */
function hostEvents() {
  return sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER).filter((event) => event.status !== 'cancelled');
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  // The per-booking-type bucket small and slow to refill for this file, so its limit can be seen.
  Object.assign(process.env, { PUBLIC_BOOKING_TYPE_BURST: '60', PUBLIC_BOOKING_TYPE_PER_MINUTE: '6' });
  stack = await startTestStack({ sandbox: 'on' });
  const { authorizationUrl } = await tenantJson<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  connectionId = (await tenantJson<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
  const calendars = await eventually(async () => {
    const list = (await tenantJson<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200)).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  calendarId = calendars.find((c) => c.isPrimary)!.id;
  scheduleId = (
    await tenantJson<{ id: string }>(
      await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
      201,
    )
  ).id;
  const created = await tenantJson<{ id: string; publicId: string }>(
    await stack.api('/v1/booking-types', {
      method: 'POST',
      body: JSON.stringify({ name: 'Consultation', description: 'Half an hour to talk it through', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], public: true }),
    }),
    201,
  );
  bookingTypeId = created.id;
  publicId = created.publicId;
  expect(publicId).toMatch(/^pub_[A-Za-z0-9_-]{22}$/);
  const from = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  const week = (await tenantJson<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?start=${iso(from)}&end=${iso(from + 7 * DAY)}`), 200)).slots;
  const byDay = Map.groupBy(week, (slot) => slot.start.slice(0, 10));
  slots = [...byDay.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  expect(slots.length).toBeGreaterThan(20);
  // Another invitee's booking through the tenant API: its time must simply be absent from public slots.
  await tenantJson(await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId, start: slots[1]!.start, invitee: otherInvitee, notes: 'Secret notes of Otto' }) }), 201);
}, 180_000);

afterAll(async () => {
  delete process.env.PUBLIC_BOOKING_TYPE_BURST;
  delete process.env.PUBLIC_BOOKING_TYPE_PER_MINUTE;
  await stack?.stop();
});

describe('public booking pages on the local stack (no JWT)', () => {
  it('shows the page (name, duration, description; no host data) and its free slots, the same as the tenant sees, without taken times', async () => {
    const from = '127.0.0.11';
    const page = expectStatus(await call(`/v1/public/booking-types/${publicId}`, { from }), 200).json();
    expect(page).toEqual({ publicId, name: 'Consultation', description: 'Half an hour to talk it through', durationMinutes: 30 });
    const day = Date.parse(slots[0]!.start.slice(0, 10));
    const range = `start=${iso(day)}&end=${iso(day + DAY)}`;
    const open = expectStatus(await call(`/v1/public/booking-types/${publicId}/slots?${range}&timeZone=Europe/Berlin`, { from }), 200).json<{ slots: { start: string; end: string }[]; timeZone: string }>();
    const tenant = await tenantJson<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?${range}&timeZone=Europe/Berlin`), 200);
    expect(open.timeZone).toBe('Europe/Berlin');
    expect(open.slots).toEqual(tenant.slots);
    expect(open.slots.map((slot) => Date.parse(slot.start))).not.toContain(Date.parse(slots[1]!.start));
    for (const slot of open.slots) expect(Object.keys(slot).sort()).toEqual(['end', 'start']);
    // Unknown pages and a type made private are 404; a tenant route still needs its token.
    expectStatus(await call('/v1/public/booking-types/pub_AAAAAAAAAAAAAAAAAAAAAA', { from }), 404);
    const hidden = await tenantJson<{ id: string; publicId: string }>(
      await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Soon private', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], public: true }) }),
      201,
    );
    expectStatus(await call(`/v1/public/booking-types/${hidden.publicId}`, { from }), 200);
    await tenantJson(await stack.api(`/v1/booking-types/${hidden.id}`, { method: 'PATCH', body: JSON.stringify({ public: false }) }), 200);
    expectStatus(await call(`/v1/public/booking-types/${hidden.publicId}`, { from }), 404);
    expectStatus(await call(`/v1/public/booking-types/${hidden.publicId}/slots?${range}`, { from }), 404);
    expectStatus(await call(`/v1/booking-types/${bookingTypeId}`, { from }), 401);
  });

  it('books without a JWT: the event with the invitee appears at the simulator; the reply carries a manage token and no host data', async () => {
    const from = '127.0.0.12';
    const reply = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { start: slots[4]!.start, invitee, notes: 'Looking forward' }, from }), 201);
    const booking = reply.json<{ id: string; status: string; start: string; end: string; manageToken: string; manageTokenExpiresAt: string; bookingType: { name: string } }>();
    expect(booking).toMatchObject({ status: 'confirmed', start: slots[4]!.start.replace('.000Z', 'Z'), invitee, notes: 'Looking forward', bookingType: { publicId, name: 'Consultation', durationMinutes: 30 } });
    expect(booking.manageToken).toMatch(/^mt1\./);
    expect(Date.parse(booking.manageTokenExpiresAt)).toBe(Date.parse(booking.end));
    expect(Object.keys(booking).sort()).toEqual(['bookingType', 'conference', 'end', 'id', 'invitee', 'manageToken', 'manageTokenExpiresAt', 'notes', 'start', 'status']);
    const event = hostEvents().find((e) => e.start?.dateTime && Date.parse(e.start.dateTime) === Date.parse(slots[4]!.start));
    expect(event?.summary).toBe('Consultation: Ines Invitee');
    expect(event?.attendees?.map((a) => a.email)).toContain(invitee.email);
    // The tenant sees it as one of its bookings.
    const stored = await tenantJson<{ invitee: { email: string }; providerEvents: unknown[] }>(await stack.api(`/v1/bookings/${booking.id}`), 200);
    expect(stored.invitee.email).toBe(invitee.email);
    expect(stored.providerEvents).toHaveLength(1);
    // An Idempotency-Key repeats a booking only for the same request: the same invitee gets the same booking
    // back; someone else using the same key gets no part of it (here: the time is taken).
    const keyed = { start: slots[6]!.start, invitee };
    const first = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: keyed, headers: { 'idempotency-key': 'page-key-1' }, from }), 201).json<{ id: string }>();
    const repeat = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: keyed, headers: { 'idempotency-key': 'page-key-1' }, from }), 201).json<{ id: string }>();
    expect(repeat.id).toBe(first.id);
    const stranger = await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { ...keyed, invitee: otherInvitee }, headers: { 'idempotency-key': 'page-key-1' }, from: '127.0.0.16' });
    expect(stranger.status).toBe(409);
    expect(stranger.text).not.toContain(first.id);
    expect(hostEvents().filter((e) => e.start?.dateTime && Date.parse(e.start.dateTime) === Date.parse(slots[6]!.start))).toHaveLength(1);
    // The time is gone from the public slots; booking it again is 409 with alternatives (times only).
    const taken = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { start: slots[4]!.start, invitee: otherInvitee }, from }), 409).json<{ code: string; alternatives: { start: string }[] }>();
    expect(taken.code).toBe('booking.slot_unavailable');
    expect(taken.alternatives.length).toBeGreaterThan(0);
  });

  it('manages the booking with its token: view, reschedule (event moved, fresh token), cancel (event gone); another booking\'s token or a forged one is 404', async () => {
    const from = '127.0.0.13';
    const booked = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { start: slots[8]!.start, invitee }, from }), 201).json<{ id: string; manageToken: string }>();
    const other = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { start: slots[10]!.start, invitee }, from }), 201).json<{ id: string; manageToken: string }>();
    const eventId = hostEvents().find((e) => e.start?.dateTime && Date.parse(e.start.dateTime) === Date.parse(slots[8]!.start))!.id;
    const token = encodeURIComponent(booked.manageToken);

    expect(expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${token}`, { from }), 200).json()).toMatchObject({ id: booked.id, status: 'confirmed', start: slots[8]!.start.replace('.000Z', 'Z') });
    // Another booking's token, a forged token, no token, a booking that does not exist: nothing revealed.
    expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${encodeURIComponent(other.manageToken)}`, { from }), 404);
    expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${token.slice(0, -3)}abc`, { from }), 404);
    expectStatus(await call(`/v1/public/bookings/bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA?token=${token}`, { from }), 404);
    expect(expectStatus(await call(`/v1/public/bookings/${booked.id}`, { from }), 400).json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('query.token');
    expectStatus(await call(`/v1/public/bookings/${booked.id}/cancel?token=${encodeURIComponent(other.manageToken)}`, { method: 'POST', body: {}, from }), 404);
    expect(hostEvents().some((e) => e.id === eventId)).toBe(true);

    const moved = expectStatus(await call(`/v1/public/bookings/${booked.id}/reschedule?token=${token}`, { method: 'POST', body: { start: slots[12]!.start }, from }), 200).json<{ id: string; start: string; manageToken: string }>();
    expect(moved).toMatchObject({ id: booked.id, start: slots[12]!.start.replace('.000Z', 'Z') });
    expect(moved.manageToken).not.toBe(booked.manageToken);
    const movedEvent = hostEvents().find((e) => e.id === eventId);
    expect(Date.parse(movedEvent!.start!.dateTime!)).toBe(Date.parse(slots[12]!.start));

    const cancelled = expectStatus(await call(`/v1/public/bookings/${booked.id}/cancel?token=${encodeURIComponent(moved.manageToken)}`, { method: 'POST', body: { reason: 'Cannot make it' }, from }), 200).json<{ status: string }>();
    expect(cancelled.status).toBe('cancelled');
    expect(hostEvents().some((e) => e.id === eventId)).toBe(false);
    expect((await tenantJson<{ status: string }>(await stack.api(`/v1/bookings/${booked.id}`), 200)).status).toBe('cancelled');
    // The old token still opens the booking until its own expiry; a cancelled booking cannot be moved.
    expectStatus(await call(`/v1/public/bookings/${booked.id}/reschedule?token=${token}`, { method: 'POST', body: { start: slots[14]!.start }, from }), 409);
  });

  it('answers 401 for a genuine token once the booking has ended', async () => {
    const from = '127.0.0.14';
    const booked = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body: { start: slots[16]!.start, invitee }, from }), 201).json<{ id: string; end: string; manageToken: string }>();
    const token = encodeURIComponent(booked.manageToken);
    const later = Date.parse(booked.end) + 60_000;
    runtimeOverrides.clock = { now: () => new Date(later) };
    try {
      const expired = expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${token}`, { from }), 401).json<{ code: string }>();
      expect(expired.code).toBe('auth.unauthenticated');
      expectStatus(await call(`/v1/public/bookings/${booked.id}/cancel?token=${token}`, { method: 'POST', body: {}, from }), 401);
      // A forged token stays 404 after the end too: only a genuine token is told expired.
      expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${token.slice(0, -3)}abc`, { from }), 404);
    } finally {
      delete runtimeOverrides.clock;
    }
    expectStatus(await call(`/v1/public/bookings/${booked.id}?token=${token}`, { from }), 200);
  });

  it('refuses bad input with 400 naming the field, before anything is booked', async () => {
    const from = '127.0.0.15';
    const before = hostEvents().length;
    const cases: [unknown, string][] = [
      [{ invitee }, 'body.start'],
      [{ start: 'tomorrow', invitee }, 'body.start'],
      [{ start: slots[18]!.start, invitee: { ...invitee, email: 'not-an-email' } }, 'body.invitee.email'],
      [{ start: slots[18]!.start, invitee: { ...invitee, name: 'x'.repeat(201) } }, 'body.invitee.name'],
      [{ start: slots[18]!.start, invitee: { ...invitee, name: 'Ines\r\nBcc: victim@example.com' } }, 'body.invitee.name'],
      [{ start: slots[18]!.start, invitee: { ...invitee, timeZone: 'Mars/Olympus' } }, 'body.invitee.timeZone'],
      [{ start: slots[18]!.start, invitee: { ...invitee, phone: '12345' } }, 'body.invitee.phone'],
      [{ start: slots[18]!.start, invitee, notes: 'n'.repeat(2001) }, 'body.notes'],
      [{ start: slots[18]!.start, invitee, hostIndex: 0 }, 'body.hostIndex'],
      [{ start: new Date(Date.parse(slots[18]!.start) + 7 * 60_000).toISOString(), invitee }, 'body.start'],
      [{ start: iso(Date.now() - DAY), invitee }, 'body.start'],
      [{ start: iso(Date.now() + 400 * DAY), invitee }, 'body.start'],
    ];
    for (const [body, field] of cases) {
      const problem = expectStatus(await call(`/v1/public/booking-types/${publicId}/bookings`, { method: 'POST', body, from }), 400).json<{ errors: { field: string }[] }>();
      expect(problem.errors.map((e) => e.field), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expect(expectStatus(await call('/v1/public/booking-types/not-a-page', { from }), 400).json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('params.publicId');
    expect(expectStatus(await call(`/v1/public/booking-types/${publicId}/slots?start=yesterday&end=${iso(Date.now())}`, { from }), 400).json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('query.start');
    expect(hostEvents().length).toBe(before);
  });

  it('a burst of 100 requests from one address gets 429 with Retry-After once its bucket is empty; other addresses are unaffected', async () => {
    // A page of its own, so this burst does not spend the other tests' booking-type budget.
    const burstType = await tenantJson<{ publicId: string }>(
      await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Burst', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], public: true }) }),
      201,
    );
    const from = '127.0.0.50';
    const startedAt = Date.now();
    const replies: Reply[] = [];
    for (let batch = 0; batch < 10; batch++) replies.push(...(await Promise.all(Array.from({ length: 10 }, () => call(`/v1/public/booking-types/${burstType.publicId}`, { from })))));
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const ok = replies.filter((r) => r.status === 200).length;
    const limited = replies.filter((r) => r.status === 429);
    expect(ok + limited.length).toBe(100);
    // The default per-address bucket: 30 at once, then 30 a minute (one per 2 s).
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(ok).toBeLessThanOrEqual(30 + Math.ceil(elapsedSeconds / 2) + 1);
    expect(replies.slice(0, 30).every((r) => r.status === 200)).toBe(true);
    for (const reply of limited) {
      expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(reply.headers['content-type']).toContain('application/problem+json');
      expect(reply.json<{ code: string; status: number }>()).toMatchObject({ code: 'request.rate_limited', status: 429 });
    }
    console.log(`public burst: ${ok} × 200, ${limited.length} × 429 in ${elapsedSeconds.toFixed(1)} s; Retry-After ${limited[0]?.headers['retry-after']} s`);
    expectStatus(await call(`/v1/public/booking-types/${burstType.publicId}`, { from: '127.0.0.51' }), 200);
  });

  it('limits one booking page over all addresses (per booking type bucket)', async () => {
    const pageType = await tenantJson<{ publicId: string }>(
      await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Popular', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId, writeCalendarId: calendarId }], public: true }) }),
      201,
    );
    // 8 addresses × 10 requests: each address is under its own limit; the page's 60 (this file's setting) is not.
    const replies: Reply[] = [];
    for (let round = 0; round < 10; round++) replies.push(...(await Promise.all(Array.from({ length: 8 }, (_, i) => call(`/v1/public/booking-types/${pageType.publicId}`, { from: `127.0.1.${i + 1}` })))));
    const ok = replies.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(60);
    expect(ok).toBeLessThanOrEqual(62);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(80 - ok);
    expect(replies.find((r) => r.status === 429)!.json<{ detail: string }>().detail).toContain('booking page');
    // Another page is not affected.
    expectStatus(await call(`/v1/public/booking-types/${publicId}`, { from: '127.0.1.1' }), 200);
  });

  it('never shows host data in any public reply: no calendar id, no title of the host\'s other events, no other invitee', async () => {
    expect(publicReplies.length).toBeGreaterThan(150);
    const calendars = await tenantJson<{ items: { id: string; providerCalendarId?: string }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`), 200);
    expect(calendars.items.length).toBeGreaterThan(0);
    const forbidden = new Set<string>([calendarId, SANDBOX_GOOGLE_USER, otherInvitee.email, otherInvitee.name, 'Secret notes of Otto', scheduleId, bookingTypeId]);
    for (const calendar of calendars.items) {
      forbidden.add(calendar.id);
      if (calendar.providerCalendarId) forbidden.add(calendar.providerCalendarId);
    }
    // Titles of the host's events other than the invitee's own booking (the seeded meetings, Otto's booking).
    for (const event of sandboxSimulators.google!.truth(SANDBOX_GOOGLE_USER)) {
      if (event.summary && event.summary !== 'Consultation: Ines Invitee') forbidden.add(event.summary);
    }
    expect(forbidden.size).toBeGreaterThan(6);
    let leaks: string[] = [];
    const scan = (value: unknown, path: string): void => {
      if (typeof value === 'string') {
        for (const secret of forbidden) if (secret.length >= 4 && value.includes(secret)) leaks.push(`${path}: ${secret}`);
      } else if (Array.isArray(value)) value.forEach((item, i) => scan(item, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) {
        scan(key, `${path}.${key}(key)`);
        scan(item, `${path}.${key}`);
      }
    };
    // The scan can see a leak: the tenant's view of Otto's booking is full of them.
    const tenantView = await tenantJson<{ items: unknown[] }>(await stack.api(`/v1/bookings?bookingTypeId=${bookingTypeId}`), 200);
    scan(tenantView, 'tenant');
    expect(leaks.some((leak) => leak.includes(calendarId))).toBe(true);
    expect(leaks.some((leak) => leak.includes(otherInvitee.email))).toBe(true);
    leaks = [];
    for (const [index, text] of publicReplies.entries()) {
      scan(JSON.parse(text) as unknown, `reply${index}`);
      for (const secret of forbidden) if (secret.length >= 4 && text.includes(secret)) leaks.push(`reply${index} (raw): ${secret}`);
    }
    expect(leaks).toEqual([]);
  });
});
