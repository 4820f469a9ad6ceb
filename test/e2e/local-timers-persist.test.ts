import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import type { OutboxMessage } from '../../shared/notify/outbox.ts';
import { eventually } from '../support/eventually.ts';

/**
 * `npm start -- --persist` restarted: a pending reminder scheduled before the restart still fires after it
 * (the in-process scheduler's timers are kept under the data folder), exactly once.
 */
const DAY = 86_400_000;
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const invitee = { name: 'Pia Persisted', email: 'pia@example.com', timeZone: 'UTC' };
const dataDir = mkdtempSync(path.join(tmpdir(), 'ci-persist-'));
let running: Awaited<ReturnType<typeof startLocalStack>> | null = null;

async function start() {
  running = await startLocalStack({ port: 0, dataDir, persist: true, schedules: false, sandbox: 'on', log: () => {} });
  const stack = running;
  const api = (pathname: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${stack.devToken}`);
    if (init.body) headers.set('content-type', 'application/json');
    return fetch(`${stack.url}${pathname}`, { ...init, headers });
  };
  const json = async <T>(response: Response, status: number): Promise<T> => {
    expect(response.status, await response.clone().text()).toBe(status);
    return (await response.json()) as T;
  };
  const post = (pathname: string, body: unknown) => api(pathname, { method: 'POST', body: JSON.stringify(body) });
  return { stack, api, json, post };
}

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack --persist keeps timers across a restart', () => {
  it('a reminder booked before the restart is in the outbox exactly once after it', async () => {
    for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
    let { api, json, post, stack } = await start();
    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await post('/v1/connections/google/authorize', {}), 200);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
    const calendars = await eventually(async () => {
      const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await api(`/v1/connections/${connectionId}/calendars`), 200)).items;
      return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
    }, 60_000);
    const calendarId = calendars.find((c) => c.isPrimary)!.id;
    const schedule = await json<{ id: string }>(await post('/v1/schedules', { name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }), 201);
    const bookingType = await json<{ id: string }>(
      await post('/v1/booking-types', {
        name: 'Persisted call',
        durationMinutes: 30,
        assignment: 'collective',
        hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }],
        reminders: [{ minutesBefore: 60, channels: ['email'], to: 'invitee' }],
      }),
      201,
    );
    const from = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
    const slot = (await json<{ slots: { start: string }[] }>(await api(`/v1/booking-types/${bookingType.id}/slots?start=${iso(from)}&end=${iso(from + DAY)}`), 200)).slots[0]!;
    const booking = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId: bookingType.id, start: slot.start, invitee }), 201);
    const timersOf = async () => (await json<{ items: { name: string; at: string; payload: { bookingId: string } }[] }>(await api('/local/timers'), 200)).items.filter((t) => t.payload.bookingId === booking.id);
    await eventually(async () => (await timersOf()).length === 2, 30_000);

    await stack.stop();
    running = null;
    ({ api, json, post, stack } = await start());
    expect((await timersOf()).map((t) => Date.parse(t.at))).toEqual([Date.parse(slot.start) - 60 * MIN, Date.parse(slot.start) + 30 * MIN]);

    const { now } = await json<{ now: string }>(await api('/local/clock'), 200);
    await json(await post('/local/clock', { advanceSeconds: Math.ceil((Date.parse(slot.start) - 59 * MIN - Date.parse(now)) / 1000) }), 200);
    const reminders = async () => (await json<{ items: OutboxMessage[] }>(await fetch(`${stack.url}/local/outbox?channel=email`), 200)).items.filter((m) => m.recipient === invitee.email && m.subject?.startsWith('Reminder: Persisted call'));
    await eventually(async () => (await reminders()).length >= 1, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a second scheduler pass must not send it again
    expect(await reminders()).toHaveLength(1);
    expect((await timersOf()).length).toBe(1); // booking.completed still pending
  }, 180_000);
});
