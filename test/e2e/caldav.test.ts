import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../shared/storage/dynamo-calendar-store.ts';
import { freePort } from '../../infra/local/net.ts';
import { OtherClient } from '../integration/caldav/support/caldav-setup.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { startRadicale, type Radicale } from '../support/radicale.ts';
import { eventually as waitFor } from '../support/eventually.ts';

let radicale: Radicale;
let proxy: FaultProxy;
let stack: TestStack;
let other: OtherClient;

/** CalDAV polls take longer than a push: allow 20 s. */
const eventually = <T>(probe: () => Promise<T | null | undefined | false>) => waitFor(probe, 20_000);

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

beforeAll(async () => {
  radicale = await startRadicale({ users: { grace: 'grace-app-password' } });
  const user = radicale.user('grace');
  const home = await user.makeCalendar('home', { name: 'Home', timeZone: 'Europe/Berlin' });
  await user.makeCalendar('tasks', { name: 'Tasks', components: ['VTODO'] });
  other = new OtherClient(user, home);
  const today = Math.floor(Date.now() / DAY) * DAY;
  await other.create([{ uid: 'dentist', title: 'Dentist', start: { instant: iso(today + 2 * DAY + 9 * 3_600_000), zone: 'Europe/Berlin' }, end: { instant: iso(today + 2 * DAY + 10 * 3_600_000), zone: 'Europe/Berlin' } }]);
  await other.create([{ uid: 'yoga', title: 'Yoga', start: { instant: iso(today + DAY + 17 * 3_600_000), zone: 'Europe/Berlin' }, end: { instant: iso(today + DAY + 18 * 3_600_000), zone: 'Europe/Berlin' }, rrule: 'FREQ=WEEKLY;COUNT=4' }]);
  proxy = await startFaultProxy(radicale.url);
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
  await radicale?.stop();
});

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors: { field: string; message: string }[];
}

async function connect(body: Record<string, unknown>): Promise<Response> {
  return stack.api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify(body) });
}

describe('CalDAV end to end in the local stack (real Radicale)', () => {
  let connectionId: string;
  let calendarId: string;

  it('answers bad input with problems naming the field, and stores nothing', async () => {
    const cases: { body: Record<string, unknown>; field: string; detail?: RegExp }[] = [
      { body: { serverUrl: proxy.url, preset: 'icloud', username: 'grace', password: 'x' }, field: 'body.serverUrl', detail: /exactly one of serverUrl and preset/ },
      { body: { username: 'grace', password: 'x' }, field: 'body.serverUrl' },
      { body: { serverUrl: proxy.url, username: 'grace' }, field: 'body.password' },
      { body: { serverUrl: proxy.url, username: 'grace', password: 'wrong' }, field: 'body.password', detail: /refused the user name and password/ },
      { body: { serverUrl: `http://127.0.0.1:${await freePort()}/`, username: 'grace', password: 'grace-app-password' }, field: 'body.serverUrl', detail: /Could not reach/ },
      { body: { serverUrl: `${stack.url}/v1/health`, username: 'grace', password: 'grace-app-password' }, field: 'body.serverUrl', detail: /not a CalDAV server/ },
    ];
    for (const { body, field, detail } of cases) {
      const response = await connect(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as Problem;
      expect(problem.errors[0]?.field, JSON.stringify(body)).toBe(field);
      if (detail) expect(problem.detail).toMatch(detail);
    }
    const listed = (await (await stack.api('/v1/connections')).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
  });

  it('connects with a server URL and a password: 201 with the connection as GET shows it', async () => {
    const response = await connect({ serverUrl: proxy.url, username: 'grace', password: 'grace-app-password' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; provider: string; status: string; serverUrl: string };
    expect(body).toMatchObject({ provider: 'caldav', status: 'active', serverUrl: `${proxy.url}/` });
    expect(JSON.stringify(body)).not.toContain('grace-app-password');
    connectionId = body.id;
    const fetched = await (await stack.api(`/v1/connections/${connectionId}`)).json();
    expect(fetched).toEqual(body);
    expect(stack.bus.published.some((e) => e.type === 'connection.created')).toBe(true);
  });

  it('syncs the event calendar (not the task list) and serves its events, series expanded', async () => {
    const calendars = (await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; name: string; timeZone: string }[] };
    expect(calendars.items.map((c) => c.name)).toEqual(['Home']);
    expect(calendars.items[0]!.timeZone).toBe('Europe/Berlin');
    calendarId = calendars.items[0]!.id;
    await eventually(async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { lastSyncedAt: string | null }).lastSyncedAt);
    const start = new Date(Date.now() - DAY).toISOString();
    const end = new Date(Date.now() + 40 * DAY).toISOString();
    const events = (await (await stack.api(`/v1/calendars/${calendarId}/events?start=${start}&end=${end}`)).json()) as { items: { title: string }[] };
    expect(events.items.filter((e) => e.title === 'Yoga')).toHaveLength(4);
    expect(events.items.filter((e) => e.title === 'Dentist')).toHaveLength(1);
  });

  it('polls on schedule: an unchanged calendar costs one request, a change made elsewhere arrives as calendar.event.updated', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const calendars = new DynamoCalendarStore({ doc, tableName: process.env.TABLE_NAME ?? 'calendar-integrations' });
    const makeDue = async () => {
      const calendar = (await calendars.get(stack.devTenantId, calendarId))!;
      await calendars.put(calendar, new Date(Date.now() - 60_000).toISOString());
    };
    const lastSynced = async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { lastSyncedAt: string }).lastSyncedAt;

    // Unchanged: the scheduled poll makes one sync-collection REPORT.
    const before = await lastSynced();
    await makeDue();
    proxy.log.length = 0;
    await stack.runSchedule('sync-scheduler');
    await eventually(async () => (await lastSynced()) !== before);
    expect(proxy.log.map((e) => e.method)).toEqual(['REPORT']);

    // Changed by another client: the next poll brings it in.
    await other.edit('dentist', (specs) => [{ ...specs[0]!, title: 'Dentist (moved to 11:00)' }]);
    await makeDue();
    await stack.runSchedule('sync-scheduler');
    const updated = await eventually(async () =>
      stack.bus.published.find((e) => e.type === 'calendar.event.updated' && (e.data as { event: { title: string } }).event.title === 'Dentist (moved to 11:00)'),
    );
    expect(updated.tenantId).toBe(stack.devTenantId);

    // Or on demand: POST /v1/connections/{id}/sync.
    await other.create([{ uid: `party-${randomUUID()}`, title: 'Party', start: { date: new Date(Date.now() + 5 * DAY).toISOString().slice(0, 10) }, end: { date: new Date(Date.now() + 6 * DAY).toISOString().slice(0, 10) } }]);
    const sync = await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST' });
    expect(sync.status).toBe(202);
    await eventually(async () => stack.bus.published.find((e) => e.type === 'calendar.event.created' && (e.data as { event: { title: string } }).event.title === 'Party'));
    const start = new Date(Date.now() - DAY).toISOString();
    const end = new Date(Date.now() + 40 * DAY).toISOString();
    const events = (await (await stack.api(`/v1/calendars/${calendarId}/events?start=${start}&end=${end}`)).json()) as { items: { title: string }[] };
    expect(events.items.map((e) => e.title)).toEqual(expect.arrayContaining(['Dentist (moved to 11:00)', 'Party', 'Yoga']));
  });

  it('marks the connection reauth_required when the password stops working', async () => {
    radicale.setPassword('grace', 'rotated');
    await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST' });
    await eventually(async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { status: string }).status === 'reauth_required');
    expect(stack.bus.published.some((e) => e.type === 'connection.reauth_required')).toBe(true);
  });
});
