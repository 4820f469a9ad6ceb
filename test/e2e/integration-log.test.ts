import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/** Compressed webhook retries and http to loopback, read when the stack starts. */
const ENV = { ALLOW_INSECURE_WEBHOOK_URLS: '1', WEBHOOK_RETRY_SCHEDULE: '0.2,0.2', WEBHOOK_TIMEOUT_MS: '1000' };

interface Entry {
  id: string;
  type: string;
  at: string;
  success: boolean;
  connectionId: string | null;
  bookingId: string | null;
  correlationId: string | null;
  resourceId: string | null;
  summary: string;
  error: { code: string; message: string; retryable: boolean } | null;
  details: Record<string, unknown>;
}
interface Health {
  status: string;
  connections: { id: string; status: string; health: string; lastSuccessfulSyncAt: string | null; errorsLast24h: number; pushChannelExpiresAt: string | null; nextSyncAt: string | null; syncedCalendars: number }[];
  webhookEndpoints: { id: string; health: string; deliveriesLast24h: number; successRate24h: number | null; lastFailure: { at: string; statusCode: number | null } | null }[];
  videoConnections: unknown[];
  notificationChannels: { id: string; health: string }[];
}

let stack: TestStack;
let receiver: WebhookReceiver;
let otherToken: string;
let connectionId: string;
let endpointId: string;
const saved: Record<string, string | undefined> = {};

const logs = async (query = '', token?: string) => json<{ items: Entry[]; nextCursor: string | null }>(await stack.api(`/v1/logs${query}`, token ? { token } : {}));

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  receiver = await startWebhookReceiver();
  otherToken = await stack.tokenFor('other-tenant');
  // An endpoint that answers 500 to everything, registered before the connection so its first sync is delivered (and fails).
  receiver.setBehaviour({ kind: 'fail', status: 500 });
  endpointId = (await json<{ id: string }>(await stack.api('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ url: receiver.url, eventTypes: ['calendar.sync.completed'] }) }), 201)).id;
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }));
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }));
  connectionId = callback.connection.id;
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('GET /v1/logs through the local stack', () => {
  it('shows the first sync run of the connection, with counts, mode and duration', async () => {
    const run = await eventually(async () => (await logs(`?connectionId=${connectionId}&type=sync.run`)).items.find((e) => e.success));
    expect(run).toMatchObject({ type: 'sync.run', success: true, connectionId, error: null, details: { mode: 'full' } });
    expect(run.details.created).toBeGreaterThanOrEqual(4);
    expect(typeof run.details.durationMs).toBe('number');
    expect(run.correlationId).toBeTruthy();
  });

  it('shows the failed webhook delivery as an error, with the event id as correlation id', async () => {
    const failed = await eventually(async () => (await logs('?type=webhook.failed&success=false')).items.find((e) => e.resourceId === endpointId));
    expect(failed).toMatchObject({ success: false, connectionId, error: { code: 'webhook.http_5xx', retryable: true }, details: { statusCode: 500, eventType: 'calendar.sync.completed' } });
    const event = stack.bus.published.find((e) => e.type === 'calendar.sync.completed');
    expect(failed.correlationId).toBe(event?.id);
    // "errors only" has no successful entry; a type filter only that type.
    expect((await logs('?success=false')).items.every((e) => !e.success)).toBe(true);
    expect((await logs('?type=sync.run')).items.every((e) => e.type === 'sync.run')).toBe(true);
  });

  it('pages with cursors through every entry once, newest first', async () => {
    // The failing delivery's retries (schedule 0.2 s, 0.2 s) end after three attempts; then the log is still.
    await eventually(async () => (await logs('?type=webhook.failed')).items.length >= 3);
    const everything = await eventually(async () => {
      const first = (await logs('?limit=200')).items;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = (await logs('?limit=200')).items;
      return JSON.stringify(first) === JSON.stringify(second) ? second : null;
    });
    expect(everything.length).toBeGreaterThanOrEqual(4);
    const walked: Entry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const result = await logs(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(result.items).toHaveLength(1);
      walked.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    expect(walked.map((e) => e.id)).toEqual(everything.map((e) => e.id));
    expect(walked.map((e) => e.at)).toEqual([...walked.map((e) => e.at)].sort().reverse());
  });

  it('filters by since', async () => {
    const all = (await logs('?limit=200')).items;
    const middle = all[Math.floor(all.length / 2)]!.at;
    const since = (await logs(`?limit=200&since=${encodeURIComponent(middle)}`)).items;
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.at >= middle)).toBe(true);
    expect((await logs(`?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).items).toEqual([]);
  });

  it('answers bad filters with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['?type=nope', 'query.type'],
      ['?success=maybe', 'query.success'],
      ['?since=yesterday', 'query.since'],
      ['?connectionId=x', 'query.connectionId'],
      ['?cursor=bm9wZQ', 'query.cursor'],
      ['?limit=0', 'query.limit'],
    ]) {
      const problem = await json<{ errors: { field: string }[] }>(await stack.api(`/v1/logs${query}`), 400);
      expect(problem.errors[0]!.field, query).toBe(field);
    }
    expect((await stack.api('/v1/logs', { token: null })).status).toBe(401);
  });

  it('shows another tenant nothing: not its list, not by connection id, not through a cursor', async () => {
    expect((await logs('', otherToken)).items).toEqual([]);
    expect((await logs(`?connectionId=${connectionId}`, otherToken)).items).toEqual([]);
    const cursor = (await logs('?limit=1')).nextCursor!;
    expect((await logs(`?cursor=${cursor}`, otherToken)).items).toEqual([]);
    const health = await json<Health>(await stack.api('/v1/health/integrations', { token: otherToken }));
    expect(health).toMatchObject({ status: 'healthy', connections: [], webhookEndpoints: [], videoConnections: [], notificationChannels: [] });
  });

  it('stores each entry with its TTL attribute 90 days on (read from DynamoDB Local directly)', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const output = await doc.send(new QueryCommand({ TableName: process.env.TABLE_NAME ?? 'calendar-integrations', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `T#${stack.devTenantId}#LOG` } }));
    expect(output.Items!.length).toBeGreaterThanOrEqual(3);
    for (const item of output.Items!) {
      expect(item.entity).toBe('integration-log');
      expect(item.expiresAt).toBe(Math.floor(Date.parse(item.at as string) / 1000) + 90 * 86_400);
    }
  });
});

describe('bookings in the log', () => {
  it('a booking created and cancelled is two booking.written entries under its id, on the host calendar\'s connection', async () => {
    const calendars = await json<{ items: { id: string; isPrimary: boolean }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`));
    const calendarId = calendars.items.find((c) => c.isPrimary)!.id;
    const schedule = await json<{ id: string }>(
      await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Every day', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '23:59' })) }) }),
      201,
    );
    const bookingType = await json<{ id: string }>(
      await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Log call', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }] }) }),
      201,
    );
    // After the sandbox's all-day offsite (seed day + 3 and + 4, busy), which filled this whole range when it was
    // days 2 to 4 and the suite ran a minute before midnight UTC.
    const soon = new Date(Date.now() + 6 * 86_400_000).toISOString();
    const later = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const { slots } = await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${bookingType.id}/slots?start=${soon}&end=${later}`));
    const booking = await json<{ id: string }>(
      await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: bookingType.id, start: slots[0]!.start, invitee: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC' } }) }),
      201,
    );
    expect((await stack.api(`/v1/bookings/${booking.id}/cancel`, { method: 'POST', body: JSON.stringify({}) })).status).toBe(200);
    // Filtered by type: the booking's notifications (sent meanwhile, asynchronously) are logged under its id too.
    const entries = (await logs(`?bookingId=${booking.id}&type=booking.written`)).items;
    expect(entries.map((e) => [e.type, e.details.change, e.connectionId, e.correlationId])).toEqual([
      ['booking.written', 'cancelled', connectionId, booking.id],
      ['booking.written', 'created', connectionId, booking.id],
    ]);
    expect((await logs(`?bookingId=${booking.id}`, otherToken)).items).toEqual([]);
    expect((await logs(`?connectionId=${connectionId}&type=booking.written`)).items.map((e) => e.bookingId)).toEqual([booking.id, booking.id]);
  });
});

describe('GET /v1/health/integrations through the local stack', () => {
  it('summarises the connection and the failing endpoint, overall degraded', async () => {
    const health = await eventually(async () => {
      const body = await json<Health>(await stack.api('/v1/health/integrations'));
      return body.webhookEndpoints[0]?.lastFailure ? body : null;
    });
    const connection = health.connections.find((c) => c.id === connectionId)!;
    expect(connection).toMatchObject({ status: 'active', health: 'healthy', errorsLast24h: 0 });
    expect(connection.syncedCalendars).toBeGreaterThan(0);
    expect(Date.parse(connection.lastSuccessfulSyncAt!)).toBeGreaterThan(Date.now() - 600_000);
    // Google pushes: a channel with an expiry; the next safety sync is after the last run.
    expect(Date.parse(connection.pushChannelExpiresAt!)).toBeGreaterThan(Date.now());
    expect(Date.parse(connection.nextSyncAt!)).toBeGreaterThan(Date.parse(connection.lastSuccessfulSyncAt!));
    const endpoint = health.webhookEndpoints.find((e) => e.id === endpointId)!;
    expect(endpoint.health).toBe('degraded');
    expect(endpoint.lastFailure).toMatchObject({ statusCode: 500 });
    expect(health.status).toBe('degraded');
  });
});
