import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalHttpServer } from '../../../infra/local/http-server.ts';
import { lambdaContext } from '../../../infra/local/lambda-context.ts';
import { HTTP_ROUTES } from '../../../infra/topology.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { resetConfig } from '../../../shared/runtime/config.ts';
import { resetDependencies } from '../../../shared/runtime/deps/lazy.ts';
import { clearRuntimeOverrides, setRuntimeOverrides } from '../../../shared/runtime/deps/overrides.ts';
import { calendarProviders } from '../../../shared/runtime/deps/providers.ts';
import { calendarStore, connectionStore, pushChannelIndex } from '../../../shared/runtime/deps/storage.ts';
import { pushSettings, renewDeps, syncDeps } from '../../../shared/runtime/deps/write-side.ts';
import { logger } from '../../../shared/runtime/logger.ts';
import { ensurePushChannel } from '../../../shared/use-cases/push/push-channels.ts';
import { renewPushChannels } from '../../../shared/use-cases/push/renew-push-channels.ts';
import { runSyncJob } from '../../../shared/use-cases/sync/run-sync-job.ts';
import { handler } from '../../../functions/push-microsoft/handler.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { RecordingPublisher, testCalendar, testConnection } from '../../support/stores.ts';
import { CLIENT_ID, CLIENT_SECRET, startSimulator } from './support.ts';

class RecordingQueue implements JobQueue<unknown> {
  readonly jobs: SyncJob[] = [];
  async send(messages: readonly QueueMessage<unknown>[]): Promise<void> {
    this.jobs.push(...messages.map((m) => m.body as SyncJob));
  }
  async changeVisibility(): Promise<void> {}
}

const TENANT = 'hooks-tenant';

/**
 * The real push-microsoft handler behind the local API Gateway emulation, with the runtime's own stores on
 * DynamoDB Local and a recording sync queue; the Graph simulator calls it over HTTP as Graph would.
 */
describe('push-microsoft: Graph validation, notifications and lifecycle events', () => {
  let sim: GraphSimulator;
  let server: Server;
  let baseUrl: string;
  let queue: RecordingQueue;
  let calendar: Calendar;
  let subscriptionId: string;
  const invocations: { path: string; status: number; ms: number }[] = [];

  const post = (path: string, body: unknown, query = '') =>
    fetch(`${baseUrl}${path}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const currentCalendar = async () => (await calendarStore().get(TENANT, calendar.id))!;
  // One clock for us and the simulator, moved by the test instead of waiting for the wall clock to tick.
  let clockOffsetMs = 0;
  const shiftedNow = () => new Date(Date.now() + clockOffsetMs);

  beforeAll(async () => {
    sim = await startSimulator({ now: shiftedNow });
    const table = await createTestTable('hooks');
    server = createLocalHttpServer({
      routes: HTTP_ROUTES.filter((route) => route.function === 'push-microsoft'),
      invoke: async (_name, event: APIGatewayProxyEventV2) => {
        const started = performance.now();
        const result = (await handler(event, lambdaContext('push-microsoft', 10, 512) as Context)) as APIGatewayProxyStructuredResultV2;
        invocations.push({ path: event.rawPath, status: result.statusCode ?? 0, ms: performance.now() - started });
        return result;
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    Object.assign(process.env, {
      RUNTIME_MODE: 'local',
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      LOCAL_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PUBLIC_BASE_URL: baseUrl,
      MICROSOFT_LOGIN_URL: sim.endpoints.loginUrl,
      MICROSOFT_GRAPH_URL: sim.endpoints.graphUrl,
      MICROSOFT_CLIENT_ID: CLIENT_ID,
      MICROSOFT_CLIENT_SECRET: CLIENT_SECRET,
    });
    resetConfig();
    resetDependencies();
    queue = new RecordingQueue();
    setRuntimeOverrides({ queues: { sync: queue }, publisher: new RecordingPublisher(), clock: { now: shiftedNow } });

    const user = sim.addUser({ mail: 'hooks@contoso.test' });
    const tokens = sim.issueTokens(user.id, { clientId: CLIENT_ID });
    const connection = testConnection(TENANT, { provider: 'microsoft', accountId: user.id, accountEmail: user.mail });
    await connectionStore().save(connection, { kind: 'oauth', accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, expiresAt: Date.now() + 3_000_000, scope: tokens.scope });
    calendar = testCalendar(connection, { providerCalendarId: user.defaultCalendarId });
    await calendarStore().put(calendar, null);
    const provider = await calendarProviders().forConnection(connection);
    const push = await ensurePushChannel({ calendars: calendarStore(), pushChannels: pushChannelIndex(), clock: { now: () => new Date() }, log: logger, settings: pushSettings() }, calendar, provider);
    subscriptionId = push!.channelId;
    calendar = await currentCalendar();
  });
  afterAll(async () => {
    clearRuntimeOverrides();
    await sim?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });
  beforeEach(async () => {
    queue.jobs.length = 0;
    // A run "started" now settles pending requests, so each test sees its own enqueue decisions.
    await calendarStore().acquireSyncLease(TENANT, calendar.id, 'settle', new Date(), new Date());
  });

  it('created the subscription through the handshake on both URLs, answered exactly and fast', async () => {
    const validations = sim.deliveryLog().filter((entry) => entry.kind === 'validation');
    expect(validations.map((v) => [new URL(v.url).pathname, v.outcome, v.status])).toEqual([
      ['/hooks/microsoft', 'delivered', 200],
      ['/hooks/microsoft/lifecycle', 'delivered', 200],
    ]);
    expect(sim.subscriptions()[0]).toMatchObject({ id: subscriptionId, resource: `me/calendars/${calendar.providerCalendarId}/events`, changeType: 'created,updated,deleted', notificationUrl: `${baseUrl}/hooks/microsoft` });
    for (const path of ['/hooks/microsoft', '/hooks/microsoft/lifecycle']) {
      const response = await fetch(`${baseUrl}${path}?validationToken=Validation%3A%20Testing+client%2Bapp+%26+co`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('Validation: Testing client+app & co');
    }
    expect(Math.max(...invocations.filter((i) => i.status === 200).map((i) => i.ms))).toBeLessThan(500);
    expect(queue.jobs).toEqual([]);
  });

  it('turns a change into one coalesced push sync, even when Graph sends it twice', async () => {
    sim.createEvent(calendar.providerCalendarId, { subject: 'new', start: { dateTime: '2026-12-01T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-12-01T11:00:00', timeZone: 'UTC' } });
    sim.duplicateNextNotifications(1);
    const deliveries = await sim.flush();
    expect(deliveries.map((d) => d.status)).toEqual([202, 202]);
    expect(queue.jobs.map((job) => [job.calendarId, job.reason])).toEqual([[calendar.id, 'push']]);
    expect(Math.max(...deliveries.map((d) => d.latencyMs))).toBeLessThan(3_000);
  });

  it('ignores forged and unknown items without a sync and without 5xx, and refuses malformed bodies with 400', async () => {
    const forged = await post('/hooks/microsoft', { value: [{ subscriptionId, clientState: 'not-the-secret', changeType: 'updated', resource: 'x' }] });
    const missing = await post('/hooks/microsoft', { value: [{ subscriptionId, changeType: 'updated' }] });
    const unknown = await post('/hooks/microsoft', { value: [{ subscriptionId: 'f00d0000-0000-0000-0000-000000000000', clientState: 'x', changeType: 'created' }] });
    const lifecycleForged = await post('/hooks/microsoft/lifecycle', { value: [{ subscriptionId, clientState: 'nope', lifecycleEvent: 'subscriptionRemoved' }] });
    expect([forged.status, missing.status, unknown.status, lifecycleForged.status]).toEqual([202, 202, 202, 202]);
    for (const body of ['{not json', '{"value":{}}', '[]', '{"value":[{"clientState":"x"}]}']) {
      const response = await post('/hooks/microsoft', body);
      expect(response.status, body).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(queue.jobs).toEqual([]);
    expect((await currentCalendar()).push?.channelId).toBe(subscriptionId);
    expect(invocations.every((i) => i.status < 500)).toBe(true);
  });

  it('lifecycle missed → delta sync; reauthorizationRequired → the same subscription extended', async () => {
    sim.emitLifecycle(subscriptionId, 'missed');
    await sim.flush();
    expect(queue.jobs.map((job) => [job.reason, job.full ?? false])).toEqual([['lifecycle', false]]);

    const before = Date.parse(String(sim.subscriptions()[0]!.expirationDateTime));
    clockOffsetMs += 60_000; // a minute later, for both sides
    sim.emitLifecycle(subscriptionId, 'reauthorizationRequired');
    const [delivery] = await sim.flush();
    expect(delivery).toMatchObject({ kind: 'lifecycle', status: 202 });
    const [after] = sim.subscriptions();
    expect(after!.id).toBe(subscriptionId);
    expect(Date.parse(String(after!.expirationDateTime))).toBeGreaterThan(before);
    expect((await currentCalendar()).push).toMatchObject({ channelId: subscriptionId, secretHash: calendar.push!.secretHash, expiresAt: new Date(Date.parse(String(after!.expirationDateTime))).toISOString() });
  });

  it('subscriptionRemoved → forgotten, a full resync that opens a new subscription, and notifications flow again', async () => {
    sim.emitLifecycle(subscriptionId, 'subscriptionRemoved');
    await sim.flush();
    expect(queue.jobs.map((job) => [job.reason, job.full])).toEqual([['resubscribe', true]]);
    expect((await currentCalendar()).push).toBeNull();
    expect(await pushChannelIndex().get(subscriptionId)).toBeNull();

    const job = queue.jobs[0]!;
    queue.jobs.length = 0;
    const outcome = await runSyncJob(syncDeps(), { ...job, runId: 'resubscribe-run' });
    expect(outcome).toMatchObject({ status: 'synced', mode: 'full', push: 'opened' });
    const renewed = await currentCalendar();
    expect(renewed.push?.channelId).toBeTruthy();
    expect(renewed.push!.channelId).not.toBe(subscriptionId);
    expect(sim.subscriptions().map((s) => s.id)).toEqual([renewed.push!.channelId]);

    sim.createEvent(calendar.providerCalendarId, { subject: 'after resubscribe', start: { dateTime: '2026-12-02T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-12-02T11:00:00', timeZone: 'UTC' } });
    await sim.flush();
    expect(queue.jobs.map((j) => j.reason)).toEqual(['push']);
  });

  it('the renewer extends the subscription in place (same id and clientState) long before the 4,230-minute cap', async () => {
    const before = await currentCalendar();
    const [subscription] = sim.subscriptions();
    const maxLifetimeMs = 4_230 * 60_000;
    expect(Date.parse(String(subscription!.expirationDateTime)) - shiftedNow().getTime()).toBeLessThanOrEqual(maxLifetimeMs);
    clockOffsetMs += 60_000; // a minute later, for both sides
    // Due when it expires within the horizon: every subscription is, with a horizon beyond the cap.
    const result = await renewPushChannels({ ...renewDeps(), settings: { ...pushSettings(), renewBeforeMs: maxLifetimeMs + 3_600_000 } });
    expect(result).toEqual({ renewed: 1, failed: 0 });
    const after = await currentCalendar();
    expect(after.push).toMatchObject({ channelId: before.push!.channelId, secretHash: before.push!.secretHash });
    expect(Date.parse(after.push!.expiresAt)).toBeGreaterThan(Date.parse(before.push!.expiresAt));
    expect(sim.subscriptions().map((s) => [s.id, Date.parse(String(s.expirationDateTime))])).toEqual([[before.push!.channelId, Date.parse(after.push!.expiresAt)]]);
  });
});
