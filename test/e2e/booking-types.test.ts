import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/** Booking types through the local stack (api-bookings wired from the topology): CRUD, slots checked against free/busy, isolation, 400s. */
let stack: TestStack;
let otherToken: string;
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  otherToken = await stack.tokenFor('other-tenant');
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('booking types on the local stack', () => {
  it('creates a round-robin booking type for the sandbox user, lists slots that free/busy confirms, and keeps other tenants out', async () => {
    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }));
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }))).connection.id;
    const calendars = await eventually(async () => {
      const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`))).items;
      const primary = list.find((c) => c.isPrimary);
      return primary?.lastSyncedAt ? list : null;
    }, 60_000);
    const cal = calendars.find((c) => c.isPrimary)!.id;
    const schedule = await json<{ id: string }>(
      await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'All day', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '08:00', end: '18:00' })) }) }),
      201,
    );
    const created = await json<{ id: string; hosts: unknown[] }>(
      await stack.api('/v1/booking-types', {
        method: 'POST',
        body: JSON.stringify({ name: 'Intro', durationMinutes: 30, assignment: 'round_robin', hosts: [{ calendarIds: [cal], scheduleId: schedule.id, writeCalendarId: cal }], reminders: [{ minutesBefore: 15, channels: ['email'], to: 'invitee' }] }),
      }),
      201,
    );
    expect((await json<{ items: { id: string }[] }>(await stack.api('/v1/booking-types'))).items.map((item) => item.id)).toContain(created.id);

    const start = iso(today + DAY);
    const end = iso(today + 8 * DAY);
    const { slots } = await json<{ slots: { start: string; end: string }[] }>(await stack.api(`/v1/booking-types/${created.id}/slots?start=${start}&end=${end}`));
    expect(slots.length).toBeGreaterThan(0);
    const { busy } = await json<{ busy: { start: string; end: string }[] }>(await stack.api(`/v1/free-busy?calendarIds=${cal}&start=${start}&end=${end}`));
    // Slots never overlap the host's busy time (an independent route's answer), and busy time exists to avoid.
    expect(busy.length).toBeGreaterThan(0);
    for (const slot of slots) for (const b of busy) expect(Date.parse(b.start) < Date.parse(slot.end) && Date.parse(b.end) > Date.parse(slot.start), `${slot.start} vs ${b.start}`).toBe(false);
    expect(JSON.stringify(slots)).not.toContain(cal);

    for (const [path, method] of [[`/v1/booking-types/${created.id}`, 'GET'], [`/v1/booking-types/${created.id}/slots?start=${start}&end=${end}`, 'GET'], [`/v1/booking-types/${created.id}`, 'DELETE']] as const) {
      expect((await stack.api(path, { method, token: otherToken })).status).toBe(404);
    }
    const bad = await json<{ errors: { field: string }[] }>(await stack.api(`/v1/booking-types/${created.id}`, { method: 'PATCH', body: JSON.stringify({ durationMinutes: 7 }) }), 400);
    expect(bad.errors.map((e) => e.field)).toEqual(['body.durationMinutes']);
    expect((await stack.api(`/v1/booking-types/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await stack.api(`/v1/booking-types/${created.id}/slots?start=${start}&end=${end}`)).status).toBe(404);
  }, 120_000);
});
