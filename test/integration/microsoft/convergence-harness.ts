import { createServer, type Server } from 'node:http';
import { AppError } from '../../../shared/domain/app-error.ts';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { syncWindowRange, type Calendar } from '../../../shared/domain/calendar.ts';
import type { CalendarProvider, ChangeRequest } from '../../../shared/ports/calendar-provider.ts';
import type { SyncJob } from '../../../shared/domain/sync-job.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { handleGraphLifecycle } from '../../../shared/use-cases/push/handle-graph-lifecycle.ts';
import { graphValidationToken, handleGraphNotifications, parseGraphNotificationBody } from '../../../shared/use-cases/push/handle-graph-notification.ts';
import type { PushSettings } from '../../../shared/use-cases/push/push-channels.ts';
import { runSyncJob } from '../../../shared/use-cases/sync/run-sync-job.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../../shared/use-cases/sync/sync-calendar.ts';
import type { GraphEvent } from '../../simulators/microsoft/index.ts';
import type { RecordingPublisher, TestClock, TestStores } from '../../support/stores.ts';

/** The sync queue as SQS would hold it: jobs wait until a worker drains them; failed ones come back. */
export class MemoryQueue implements JobQueue<SyncJob> {
  readonly pending: { job: SyncJob; attempts: number }[] = [];
  async send(messages: readonly QueueMessage<SyncJob>[]): Promise<void> {
    for (const message of messages) this.pending.push({ job: message.body, attempts: 0 });
  }
  async changeVisibility(): Promise<void> {}
}

/** Wraps the provider so a test can make the worker "crash" before fetching a page of a round. */
export class CrashingProvider implements CalendarProvider {
  readonly kind;
  readonly push;
  private readonly inner: CalendarProvider;
  private crashAt: number | null = null;
  private pages = 0;

  constructor(inner: CalendarProvider) {
    this.inner = inner;
    this.kind = inner.kind;
    this.push = inner.push;
  }

  /** The next listing dies before its page number `afterPages + 1` (once). */
  armCrash(afterPages: number): void {
    this.crashAt = afterPages;
    this.pages = 0;
  }

  disarm(): void {
    this.crashAt = null;
  }

  async listChanges(request: ChangeRequest) {
    if (this.crashAt !== null) {
      if (this.pages >= this.crashAt) {
        this.crashAt = null;
        throw new AppError('internal.unexpected', 'worker crashed between pages', { retryable: true });
      }
      this.pages += 1;
    }
    return this.inner.listChanges(request);
  }

  listCalendars = () => this.inner.listCalendars();
  getEvent: CalendarProvider['getEvent'] = (...args) => this.inner.getEvent(...args);
  createEvent: CalendarProvider['createEvent'] = (...args) => this.inner.createEvent(...args);
  updateEvent: CalendarProvider['updateEvent'] = (...args) => this.inner.updateEvent(...args);
  deleteEvent: CalendarProvider['deleteEvent'] = (...args) => this.inner.deleteEvent(...args);
  instanceId: CalendarProvider['instanceId'] = (...args) => this.inner.instanceId(...args);
  readAsSynced: CalendarProvider['readAsSynced'] = (...args) => this.inner.readAsSynced(...args);
  subscribe: CalendarProvider['subscribe'] = (...args) => this.inner.subscribe(...args);
  renew: CalendarProvider['renew'] = (...args) => this.inner.renew(...args);
  unsubscribe: CalendarProvider['unsubscribe'] = (...args) => this.inner.unsubscribe(...args);
  queryBusy: CalendarProvider['queryBusy'] = (...args) => this.inner.queryBusy(...args);
}

/** What the receiver and the worker of the current case use. */
export interface CaseWiring {
  stores: TestStores;
  clock: TestClock;
  queue: MemoryQueue;
  publisher: RecordingPublisher;
  provider: CalendarProvider;
  pushSettings: PushSettings;
}

/**
 * Our two Graph endpoints over HTTP, doing what push-microsoft does (handshake, parse, the two use cases),
 * with the current case's stores and queue.
 */
export async function startReceiver(current: () => CaseWiring): Promise<{ url: string; server: Server; failures: string[] }> {
  const failures: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const token = graphValidationToken(url.search.slice(1));
        if (token !== null) {
          response.writeHead(200, { 'content-type': 'text/plain' }).end(token);
          return;
        }
        const items = parseGraphNotificationBody(Buffer.concat(chunks).toString('utf8'));
        if (!items) {
          response.writeHead(400).end();
          return;
        }
        const wiring = current();
        const base = { calendars: wiring.stores.calendars, pushChannels: wiring.stores.pushChannels, syncQueue: wiring.queue, clock: wiring.clock, log: silentLog };
        try {
          if (url.pathname.endsWith('/lifecycle')) {
            await handleGraphLifecycle({ ...base, connections: wiring.stores.connections, providers: { forConnection: async () => wiring.provider }, settings: wiring.pushSettings, renewBudgetMs: 2_000 }, items);
          } else {
            await handleGraphNotifications(base, items);
          }
          response.writeHead(202).end();
        } catch (error) {
          failures.push(String(error));
          response.writeHead(500).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server, failures };
}

/** Runs queued sync jobs like the SQS worker: each through runSyncJob (syncCalendar + push healing), failures retried. */
export async function drainQueue(wiring: CaseWiring, maxJobs = 60): Promise<{ runs: number; failures: number }> {
  const deps = {
    calendars: wiring.stores.calendars,
    events: wiring.stores.events,
    connections: wiring.stores.connections,
    providers: { forConnection: async () => wiring.provider },
    publisher: wiring.publisher,
    clock: wiring.clock,
    log: silentLog,
    settings: DEFAULT_SYNC_SETTINGS,
    pushChannels: wiring.stores.pushChannels,
    pushSettings: wiring.pushSettings,
  };
  let runs = 0;
  let failures = 0;
  while (wiring.queue.pending.length) {
    if (runs >= maxJobs) throw new Error(`queue did not drain within ${maxJobs} runs`);
    const entry = wiring.queue.pending.shift()!;
    wiring.clock.advance(1_000);
    runs += 1;
    try {
      await runSyncJob(deps, { ...entry.job, runId: `run-${runs}-${entry.job.requestedAt}` });
    } catch {
      failures += 1;
      if (entry.attempts >= 8) throw new Error('a sync job failed 8 times');
      wiring.queue.pending.push({ job: entry.job, attempts: entry.attempts + 1 });
    }
  }
  return { runs, failures };
}

export interface Normalized {
  providerEventId: string;
  title: string | null;
  start: string;
  end: string;
  status: string;
  transparency: string;
  kind: string;
}

const KIND: Record<string, string> = { singleInstance: 'single', occurrence: 'occurrence', exception: 'exception', seriesMaster: 'master' };

/** The simulator's calendarView item, read on its own terms (not through our mapper). */
export function normalizeTruth(item: GraphEvent): Normalized {
  const time = (value: unknown) => {
    const text = (value as { dateTime: string }).dateTime;
    return item.isAllDay ? text.slice(0, 10) : new Date(Date.parse(`${text.slice(0, 19)}Z`)).toISOString();
  };
  return {
    providerEventId: item.id,
    title: String(item.subject),
    start: time(item.start),
    end: time(item.end),
    status: item.isCancelled ? 'cancelled' : item.showAs === 'tentative' ? 'tentative' : 'confirmed',
    transparency: item.showAs === 'free' ? 'transparent' : 'opaque',
    kind: KIND[item.type] ?? item.type,
  };
}

export function normalizeStored(event: Pick<CalendarEvent, 'providerEventId' | 'title' | 'start' | 'end' | 'status' | 'transparency' | 'kind'>): Normalized {
  const time = (value: CalendarEvent['start']) => ('date' in value ? value.date : new Date(Date.parse(value.dateTime)).toISOString());
  return { providerEventId: event.providerEventId, title: event.title, start: time(event.start), end: time(event.end), status: event.status, transparency: event.transparency, kind: event.kind };
}

export const byId = (a: { providerEventId: string }, b: { providerEventId: string }) => a.providerEventId.localeCompare(b.providerEventId);

export function windowOf(calendar: Calendar, clock: TestClock) {
  return syncWindowRange(calendar.syncWindow, clock.now());
}
