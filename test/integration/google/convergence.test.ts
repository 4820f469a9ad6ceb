import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as googlePushHandler } from '../../../functions/push-google/handler.ts';
import { createLocalHttpServer } from '../../../infra/local/http-server.ts';
import { lambdaContext } from '../../../infra/local/lambda-context.ts';
import { HTTP_ROUTES } from '../../../infra/topology.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { createProvider as createGoogleProvider } from '../../../shared/providers/google/index.ts';
import { resetConfig } from '../../../shared/runtime/config.ts';
import { resetDependencies } from '../../../shared/runtime/deps/lazy.ts';
import { clearRuntimeOverrides, setRuntimeOverrides } from '../../../shared/runtime/deps/overrides.ts';
import { pushSettings } from '../../../shared/runtime/deps/write-side.ts';
import { ensurePushChannel } from '../../../shared/use-cases/push/push-channels.ts';
import { syncWindowRange } from '../../../shared/domain/calendar.ts';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { systemClock } from '../../../shared/ports/clock.ts';
import { toProviderChange, type GoogleEventResource } from '../../../shared/providers/google/google-event-mapper.ts';
import { isInSyncWindow } from '../../../shared/use-cases/sync/sync-window.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar, type SyncDeps } from '../../../shared/use-cases/sync/sync-calendar.ts';
import { eventIdOf } from '../../../shared/use-cases/sync/sync-session.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { createTestStores, RecordingPublisher, testCalendar, type TestStores } from '../../support/stores.ts';

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 200);
const DAY = 86_400_000;
/** The deadline of the provider a `timeout` step syncs with, and how long Google holds its listing then. */
const SHORT_TIMEOUT_MS = 250;
const HELD_MS = 600;

/** The sync queue the real push handler sends to; the test runs its jobs as the worker would. */
class RecordingQueue implements JobQueue<unknown> {
  readonly jobs: SyncJob[] = [];
  async send(messages: readonly QueueMessage<unknown>[]): Promise<void> {
    this.jobs.push(...messages.map((m) => m.body as SyncJob));
  }
  async changeVisibility(): Promise<void> {}
}

type Op =
  | { kind: 'create'; day: number; hour: number; minutes: number; allDay: boolean }
  | { kind: 'rename'; pick: number }
  | { kind: 'move'; pick: number; day: number; far: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'series'; day: number; hour: number; count: number }
  | { kind: 'changeRule'; pick: number; count: number }
  | { kind: 'cancelInstance'; pick: number; nth: number }
  | { kind: 'editInstance'; pick: number; nth: number; hour: number }
  | { kind: 'expireToken' }
  | { kind: 'serverErrors'; count: number; status: 500 | 503 }
  | { kind: 'rateLimited'; status: 403 | 429 }
  | { kind: 'crashBetweenPages' }
  | { kind: 'connectionDrop'; count: number }
  | { kind: 'timeout'; count: number }
  | { kind: 'push'; delivery: 'deliver' | 'drop' | 'duplicate' | 'reorder' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), day: fc.integer({ min: -20, max: 60 }), hour: fc.integer({ min: 6, max: 20 }), minutes: fc.constantFrom(15, 30, 60, 90), allDay: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), day: fc.integer({ min: -10, max: 50 }), far: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('series' as const), day: fc.integer({ min: -14, max: 30 }), hour: fc.integer({ min: 7, max: 18 }), count: fc.integer({ min: 2, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('changeRule' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancelInstance' as const), pick: fc.nat(), nth: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('editInstance' as const), pick: fc.nat(), nth: fc.nat({ max: 7 }), hour: fc.integer({ min: 6, max: 21 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expireToken' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('serverErrors' as const), count: fc.integer({ min: 1, max: 3 }), status: fc.constantFrom(500 as const, 503 as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rateLimited' as const), status: fc.constantFrom(403 as const, 429 as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crashBetweenPages' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('connectionDrop' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('timeout' as const), count: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('push' as const), delivery: fc.constantFrom('deliver' as const, 'drop' as const, 'duplicate' as const, 'reorder' as const) }) },
);

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('convergence under faults: Google (scenario 19)', () => {
  let simulator: GoogleSimulator;
  let stores: TestStores;
  let caseNumber = 0;
  /** Faults Google actually served over the whole run, by answer (evidence the injection reached the sync). */
  const served = new Map<string, number>();
  const servedNow = (status: number | 'reset') => simulator.stats.requests('events.list').filter((entry) => entry.status === status).length;

  /** The real push-google handler behind the local API Gateway emulation, on the same table as `stores`. */
  let pushServer: Server;
  const pushQueue = new RecordingQueue();
  const pushAnswers: number[] = [];

  beforeAll(async () => {
    simulator = await startGoogleSimulator({ paging: 'random', seed: 19, pushRetryDelaysMs: [] });
    simulator.deliverPushes = 'manual';
    stores = await createTestStores();
    pushServer = createLocalHttpServer({
      routes: HTTP_ROUTES.filter((route) => route.function === 'push-google'),
      invoke: async (_name, event: APIGatewayProxyEventV2) => {
        const result = (await googlePushHandler(event, lambdaContext('push-google', 10, 512) as Context)) as { statusCode?: number };
        pushAnswers.push(result.statusCode ?? 0);
        return result;
      },
    });
    await new Promise<void>((resolve) => pushServer.listen(0, '127.0.0.1', resolve));
    const address = pushServer.address();
    Object.assign(process.env, {
      RUNTIME_MODE: 'local',
      TABLE_NAME: stores.table.tableName,
      DYNAMODB_ENDPOINT: stores.table.endpoint,
      PUBLIC_BASE_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    });
    resetConfig();
    resetDependencies();
    setRuntimeOverrides({ queues: { sync: pushQueue }, publisher: new RecordingPublisher() });
  });
  afterAll(async () => {
    clearRuntimeOverrides();
    await simulator?.stop();
    await new Promise<void>((resolve) => (pushServer ? pushServer.close(() => resolve()) : resolve()));
  });

  it(`the store equals Google's truth and the event log replays to it (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        caseNumber += 1;
        const email = `case${caseNumber}@example.com`;
        const tenantId = `t${caseNumber}`;
        simulator.createUser({ email, timeZone: 'America/New_York' });
        simulator.clearFaults();
        simulator.stats.reset();
        const { provider, connectionId, context } = await connectGoogleUser(simulator, stores, email, tenantId);
        // The provider a `timeout` step uses: the same connection with a short deadline per attempt.
        const impatient = await createGoogleProvider({ tenantId, id: connectionId, provider: 'google', serverUrl: null }, context, { requestTimeoutMs: SHORT_TIMEOUT_MS });
        let active: CalendarProvider = provider;
        const calendar = testCalendar({ tenantId, id: connectionId, provider: 'google' } as never, { providerCalendarId: email, timeZone: 'America/New_York', connectionId });
        await stores.calendars.put(calendar, null);
        const publisher = new RecordingPublisher();
        // A worker that dies after applying the first page of its next round.
        let crashArmed = false;
        let listCalls = 0;
        let crashes = 0;
        const crashing: CalendarProvider = Object.assign(Object.create(provider) as CalendarProvider, {
          listChanges: async (request: Parameters<CalendarProvider['listChanges']>[0]) => {
            listCalls += 1;
            if (crashArmed && request.pageToken !== null) {
              crashArmed = false;
              crashes += 1;
              throw new AppError('provider.unavailable', 'worker crashed between pages');
            }
            return active.listChanges(request);
          },
        });
        // A round with one page cannot crash between pages: the armed crash then kills the run after its
        // events were written, before the cursor write.
        const crashingCalendars = new Proxy(stores.calendars, {
          get: (target, name, receiver) => {
            if (name === 'advanceCursor') {
              return (...args: Parameters<typeof target.advanceCursor>) => {
                if (crashArmed) {
                  crashArmed = false;
                  crashes += 1;
                  return Promise.reject(new AppError('provider.unavailable', 'worker crashed before the cursor write'));
                }
                return target.advanceCursor(...args);
              };
            }
            const value: unknown = Reflect.get(target, name, receiver);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
        const deps: SyncDeps = {
          calendars: crashingCalendars,
          events: stores.events,
          connections: stores.connections,
          providers: { forConnection: async () => crashing },
          publisher,
          clock: systemClock,
          log: silentLog,
          settings: { ...DEFAULT_SYNC_SETTINGS, suspiciousEmptyThreshold: 1_000 },
        };
        let run = 0;
        const sync = async () => {
          // A request strictly after the last run's start: wait for the millisecond clock to move, not a fixed time.
          for (const startedAt = Date.now(); Date.now() <= startedAt; ) await new Promise((resolve) => setImmediate(resolve));
          return syncCalendar(deps, { tenantId, calendarId: calendar.id, requestedAt: new Date(), runId: `r${++run}` }).catch((error: unknown) => ({ status: 'error', error }));
        };

        // A push channel through the real watch call, its address the real handler; its `sync` message answered.
        await ensurePushChannel({ calendars: stores.calendars, pushChannels: stores.pushChannels, clock: systemClock, log: silentLog, settings: pushSettings() }, (await stores.calendars.get(tenantId, calendar.id))!, provider);
        await simulator.flushPushes();
        pushQueue.jobs.length = 0;
        pushAnswers.length = 0;
        // The worker's side of a pushed job: run it as SQS would, again after a failure (at most 3 receives).
        const runQueuedJobs = async (): Promise<number> => {
          const jobs = pushQueue.jobs.splice(0);
          for (const job of jobs) {
            for (let receive = 0; receive < 3; receive++) {
              for (const startedAt = Date.now(); Date.now() <= startedAt; ) await new Promise((resolve) => setImmediate(resolve));
              const outcome = await syncCalendar(deps, { tenantId: job.tenantId, calendarId: job.calendarId, requestedAt: new Date(job.requestedAt), runId: `r${++run}` }).catch((error: unknown) => ({ status: 'error', error }));
              if (outcome.status !== 'error') break;
            }
          }
          return jobs.length;
        };

        const now = Date.now();
        const dayStart = Math.floor(now / DAY) * DAY;
        const live: string[] = [];
        const series: { id: string; start: number }[] = [];
        simulator.insertEvent(email, { summary: 'seed', start: { dateTime: iso(dayStart + 2 * DAY + 9 * 3_600_000), timeZone: 'America/New_York' }, end: { dateTime: iso(dayStart + 2 * DAY + 10 * 3_600_000), timeZone: 'America/New_York' } });
        expect((await sync()).status).toBe('synced');
        const before = new Map((await stores.events.listAll(tenantId, calendar.id)).map((e) => [e.id, e.contentHash]));
        publisher.clear();

        for (const step of ops) {
          const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);
          try {
            switch (step.kind) {
              case 'create': {
                const start = dayStart + step.day * DAY + step.hour * 3_600_000;
                const body = step.allDay
                  ? { summary: `all-day ${step.day}`, start: { date: date(start) }, end: { date: date(start + DAY) } }
                  : { summary: `event ${step.day}/${step.hour}`, start: { dateTime: iso(start), timeZone: 'America/New_York' }, end: { dateTime: iso(start + step.minutes * 60_000), timeZone: 'America/New_York' } };
                live.push(simulator.insertEvent(email, body).id);
                break;
              }
              case 'rename': {
                const id = pick(live, step.pick);
                if (id) simulator.patchEvent(email, id, { summary: `renamed ${step.pick}` });
                break;
              }
              case 'move': {
                const id = pick(live, step.pick);
                const current = id ? simulator.getEvent(email, id) : null;
                if (id && current && current.status !== 'cancelled') {
                  const start = dayStart + (step.far ? 500 : step.day) * DAY + 11 * 3_600_000;
                  const allDay = Boolean(current.start?.date);
                  simulator.patchEvent(email, id, allDay ? { start: { date: date(start) }, end: { date: date(start + DAY) } } : { start: { dateTime: iso(start), timeZone: 'America/New_York' }, end: { dateTime: iso(start + 3_600_000), timeZone: 'America/New_York' } });
                }
                break;
              }
              case 'delete': {
                const index = live.length ? step.pick % live.length : -1;
                if (index >= 0) simulator.deleteEvent(email, live.splice(index, 1)[0]!);
                break;
              }
              case 'series': {
                const start = dayStart + step.day * DAY + step.hour * 3_600_000;
                const master = simulator.createRecurringEvent(email, { summary: `weekly ${step.day}`, start: { dateTime: iso(start), timeZone: 'America/New_York' }, end: { dateTime: iso(start + 1_800_000), timeZone: 'America/New_York' }, recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${step.count}`] });
                series.push({ id: master.id, start });
                live.push(master.id);
                break;
              }
              case 'changeRule': {
                const s = pick(series, step.pick);
                if (s && simulator.getEvent(email, s.id)?.status !== 'cancelled') simulator.setRecurrence(email, s.id, [`RRULE:FREQ=WEEKLY;COUNT=${step.count}`]);
                break;
              }
              case 'cancelInstance':
              case 'editInstance': {
                const s = pick(series, step.pick);
                const master = s ? simulator.getEvent(email, s.id) : null;
                if (!s || !master || master.status === 'cancelled') break;
                const instances = simulator.expandedTruth(email, { timeMin: iso(s.start - DAY), timeMax: iso(s.start + 70 * DAY) }).filter((e) => e.recurringEventId === s.id && e.status !== 'cancelled');
                const instance = pick(instances, step.nth);
                if (!instance?.originalStartTime?.dateTime) break;
                if (step.kind === 'cancelInstance') simulator.cancelInstance(email, s.id, instance.originalStartTime.dateTime);
                else {
                  const original = Date.parse(instance.originalStartTime.dateTime);
                  const moved = Math.floor(original / DAY) * DAY + step.hour * 3_600_000;
                  simulator.editInstance(email, s.id, instance.originalStartTime.dateTime, { summary: 'moved instance', start: { dateTime: iso(moved), timeZone: 'America/New_York' }, end: { dateTime: iso(moved + 1_800_000), timeZone: 'America/New_York' } });
                }
                break;
              }
              case 'expireToken':
                simulator.invalidateSyncTokens(email);
                break;
              case 'serverErrors': {
                const before = servedNow(step.status);
                simulator.failNext({ route: 'events.list', status: step.status, reason: 'backendError', count: step.count });
                await sync();
                expect(servedNow(step.status) - before, 'the injected 5xx reached the sync').toBeGreaterThanOrEqual(1);
                break;
              }
              case 'rateLimited': {
                const before = servedNow(step.status);
                simulator.failNext({ route: 'events.list', status: step.status, reason: 'rateLimitExceeded', count: 1 });
                await sync();
                expect(servedNow(step.status) - before, 'the injected rate limit reached the sync').toBe(1);
                break;
              }
              case 'connectionDrop': {
                // The connection closes with no answer (a network fault, like a timeout): retried as transient.
                const before = servedNow('reset');
                simulator.failNext({ route: 'events.list', status: 'reset', count: step.count });
                await sync();
                expect(servedNow('reset') - before, 'the dropped connection reached the sync').toBeGreaterThanOrEqual(1);
                break;
              }
              case 'crashBetweenPages': {
                crashArmed = true;
                const before = crashes;
                await sync();
                crashArmed = false;
                expect(crashes - before, 'the armed crash happened').toBe(1);
                served.set('crash', (served.get('crash') ?? 0) + 1);
                break;
              }
              case 'timeout': {
                // Google holds the listing past our deadline: the request is abandoned, retried as transient.
                const abandoned = () => simulator.stats.requests('events.list').filter((entry) => entry.status === 'abandoned').length;
                const before = abandoned();
                simulator.setLatency({ route: 'events.list', ms: HELD_MS, count: step.count });
                active = impatient;
                try {
                  await sync();
                } finally {
                  active = provider;
                }
                for (let wait = 0; wait < 100 && abandoned() === before; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
                expect(abandoned() - before, 'the held listing timed out at the client').toBeGreaterThanOrEqual(1);
                served.set('timeout', (served.get('timeout') ?? 0) + abandoned() - before);
                break;
              }
              case 'push': {
                // Google's notifications for the changes so far, through the real push handler, as told:
                // lost, sent twice, or newest first. The handler's sync jobs are then run as the worker would.
                const queued = simulator.queuedPushes();
                const answered = pushAnswers.length;
                if (step.delivery === 'drop') simulator.dropNextPushes(queued);
                if (step.delivery === 'duplicate') simulator.duplicateNextPushes(queued);
                await simulator.flushPushes(step.delivery === 'reorder' ? 'reversed' : 'queued');
                const sent = step.delivery === 'drop' ? 0 : step.delivery === 'duplicate' ? 2 * queued : queued;
                expect(pushAnswers.slice(answered), 'every push delivered was answered 200 by the handler').toEqual(Array.from({ length: sent }, () => 200));
                const jobs = await runQueuedJobs();
                // However many notifications arrived (duplicates, reordered), at most one sync job was queued for them.
                expect(jobs).toBeLessThanOrEqual(1);
                if (step.delivery !== 'drop' && queued > 0) served.set(`push-${step.delivery}`, (served.get(`push-${step.delivery}`) ?? 0) + 1);
                served.set('push-jobs', (served.get('push-jobs') ?? 0) + jobs);
                break;
              }
            }
          } catch (error) {
            // A user action the simulator refuses (e.g. editing a dropped instance) is not a sync fault.
            if (!(error instanceof Error) || !/not found|cancelled|deleted|invalid|no instance/i.test(error.message)) throw error;
          }
        }

        for (const status of [500, 503, 403, 429, 410, 'reset'] as const) served.set(String(status), (served.get(String(status)) ?? 0) + servedNow(status));
        simulator.stats.reset();
        // Settle: the scheduled safety sync runs until it succeeds (faults are transient).
        simulator.clearFaults();
        let settled = false;
        for (let attempt = 0; attempt < 6 && !settled; attempt++) settled = (await sync()).status === 'synced';
        expect(settled).toBe(true);

        const window = syncWindowRange(calendar.syncWindow, new Date());
        const expected = new Map<string, { title: string | null; start: unknown; end: unknown; status: string; kind: string; etag: string | null }>();
        for (const resource of simulator.truth(email)) {
          const change = toProviderChange(resource as GoogleEventResource, 'America/New_York');
          if (change?.type !== 'upsert' || !isInSyncWindow(change.event, window, 'America/New_York')) continue;
          const e = change.event;
          expected.set(eventIdOf(calendar.id, e.providerEventId), { title: e.title, start: e.start, end: e.end, status: e.status, kind: e.kind, etag: e.etag });
        }
        const stored = await stores.events.listAll(tenantId, calendar.id);
        const actual = new Map(stored.map((e) => [e.id, { title: e.title, start: e.start, end: e.end, status: e.status, kind: e.kind, etag: e.etag }]));
        expect(actual).toEqual(expected);

        const replayed = new Map(before);
        for (const event of publisher.events) {
          if (!event.type.startsWith('calendar.event.')) continue;
          const data = event.data as { event: { id: string; contentHash: string } };
          if (event.type === 'calendar.event.deleted') replayed.delete(data.event.id);
          else replayed.set(data.event.id, data.event.contentHash);
        }
        expect(replayed).toEqual(new Map(stored.map((e) => [e.id, e.contentHash])));
        expect(listCalls).toBeGreaterThan(0);
      }),
      { numRuns: RUNS, seed: Number(process.env.CONVERGENCE_SEED ?? 20261123), endOnFailure: true },
    );
    // Every kind of fault was really served during the run, not just scheduled.
    const of = (...kinds: string[]) => kinds.reduce((sum, kind) => sum + (served.get(kind) ?? 0), 0);
    expect(of('500', '503'), JSON.stringify(Object.fromEntries(served))).toBeGreaterThan(0);
    expect(of('403', '429')).toBeGreaterThan(0);
    expect(of('410')).toBeGreaterThan(0);
    expect(of('reset')).toBeGreaterThan(0);
    if (RUNS >= 50) expect(of('crash')).toBeGreaterThan(0);
    if (RUNS >= 50) expect(of('timeout')).toBeGreaterThan(0);
    if (RUNS >= 50) expect(of('push-deliver') * of('push-duplicate') * of('push-reorder') * of('push-jobs')).toBeGreaterThan(0);
  }, 900_000);
});
