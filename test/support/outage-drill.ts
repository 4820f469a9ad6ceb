import { expect } from 'vitest';
import { LocalQueue } from '../../infra/local/local-queue.ts';
import { QUEUES } from '../../infra/topology.ts';
import { syncRetryDelaySeconds } from '../../functions/sync-worker/handler.ts';
import { SyncJob } from '../../shared/domain/sync-job.ts';
import type { Calendar } from '../../shared/domain/calendar.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import type { CalendarProvider } from '../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../shared/ports/log.ts';
import { requestSync } from '../../shared/use-cases/sync/request-sync.ts';
import { scheduleDueSyncs } from '../../shared/use-cases/sync/schedule-due-syncs.ts';
import { syncCalendar, type SyncDeps } from '../../shared/use-cases/sync/sync-calendar.ts';
import type { RecordingPublisher, TestClock } from './stores.ts';

const MINUTE = 60_000;
/** The scheduler's rate in the topology (every 5 min). */
const SCHEDULER_EVERY_MS = 5 * MINUTE;

export interface OutageDrillOptions {
  /** Sync dependencies on the provider under test; `clock` must be `clock` below. */
  deps: SyncDeps & { publisher: RecordingPublisher };
  clock: TestClock;
  /** The calendars (each of its own connection) that have a change waiting when the outage starts. */
  calendars: Calendar[];
  /** Every request to the provider fails (5xx) from now on; `stop` ends it. */
  startOutage(): void;
  stopOutage(): void;
  /** How many requests the provider answered with a fault so far (evidence the outage happened). */
  faultsSeen(): number;
  outageMs?: number;
}

export interface OutageDrillReport {
  /** Sync runs per calendar while the provider was down. */
  runsDuringOutage: Map<string, number>;
  /** Faults the provider served. */
  faults: number;
  /** Fake minutes from the outage's end until the last calendar synced. */
  recoveryMinutes: number;
  deadLettered: number;
}

/**
 * Reliability scenario 10 on a real provider (simulator or server): the sync queue as SQS runs it (the
 * topology's maxReceiveCount, a dead-letter queue, the sync worker's own retry policy and visibility
 * changes), the scheduler every 5 minutes, all on a fake clock that is stepped 15 s at a time through a
 * 30-minute outage (every provider request fails) and beyond. Each calendar has a change waiting and a sync
 * job queued when the outage starts. Afterwards every connection is active (never disabled), every calendar
 * synced after the outage, nothing was dead-lettered, and retries backed off instead of hammering.
 */
export async function runOutageDrill(options: OutageDrillOptions): Promise<OutageDrillReport> {
  const { deps, clock } = options;
  const outageMs = options.outageMs ?? 30 * MINUTE;
  const spec = QUEUES.find((queue) => queue.name === 'sync')!;
  const now = () => clock.now().getTime();
  const deadLetters = new LocalQueue<unknown>({ name: 'sync-dlq', visibilityTimeoutSeconds: 30, now });
  const queue = new LocalQueue<SyncJob>({ name: 'sync', visibilityTimeoutSeconds: 1_800, maxReceiveCount: spec.maxReceiveCount, deadLetterQueue: deadLetters, batchSize: 10, retentionSeconds: spec.retentionSeconds, now });
  const runsDuringOutage = new Map<string, number>(options.calendars.map((c) => [c.id, 0]));
  let outage = false;
  let run = 0;
  queue.start(async (event) =>
    processSqsBatch<SyncJob>(event, {
      parse: (body) => SyncJob.parse(JSON.parse(body)),
      handle: async ([entry]) => {
        if (outage) runsDuringOutage.set(entry!.item.calendarId, (runsDuringOutage.get(entry!.item.calendarId) ?? 0) + 1);
        await syncCalendar(deps, { ...entry!.item, requestedAt: new Date(entry!.item.requestedAt), runId: `drill-${++run}` });
      },
      queue,
      retryDelaySeconds: syncRetryDelaySeconds,
      log: silentLog,
    }),
  );
  const scheduler = { calendars: deps.calendars, syncQueue: queue, clock, log: silentLog };
  const settle = () => queue.waitUntilIdle(60_000);
  try {
    clock.advance(1_000); // the changes (and their pushes) come after the calendars' last sync started
    const start = now();
    options.startOutage();
    outage = true;
    await requestSync(scheduler, options.calendars, 'push');
    let nextSchedulerAt = start + SCHEDULER_EVERY_MS;
    const step = async () => {
      clock.advance(15_000);
      if (now() >= nextSchedulerAt) {
        nextSchedulerAt += SCHEDULER_EVERY_MS;
        await scheduleDueSyncs(scheduler);
      }
      await settle();
    };
    await settle();
    while (now() - start < outageMs) await step();
    outage = false;
    options.stopOutage();
    const faults = options.faultsSeen();
    const outageEnd = now();
    const syncedSince = async (calendar: Calendar) => {
      const current = await deps.calendars.get(calendar.tenantId, calendar.id);
      return current?.lastSyncedAt !== null && current?.lastSyncedAt !== undefined && Date.parse(current.lastSyncedAt) >= outageEnd;
    };
    // After the outage: the queued retries (backoff capped at 15 min) must bring every calendar back.
    while (now() - outageEnd < 60 * MINUTE) {
      const done = await Promise.all(options.calendars.map(syncedSince));
      if (done.every(Boolean)) break;
      await step();
    }
    const recoveryMinutes = (now() - outageEnd) / MINUTE;
    for (const calendar of options.calendars) expect(await syncedSince(calendar), `calendar ${calendar.id} synced after the outage`).toBe(true);
    for (const calendar of options.calendars) {
      const connection = await deps.connections.get(calendar.tenantId, calendar.connectionId);
      expect(connection, `connection of ${calendar.id}`).toMatchObject({ status: 'active', consecutiveErrors: 0, lastError: null });
    }
    expect(deps.publisher.ofType('connection.disabled')).toEqual([]);
    return { runsDuringOutage, faults, recoveryMinutes, deadLettered: deadLetters.depth };
  } finally {
    await queue.stop();
  }
}

/** The provider with its failed listings counted: evidence, independent of the fault injector, that the outage reached the sync. */
export function countingFailures(provider: CalendarProvider): { provider: CalendarProvider; failures: () => number } {
  let failures = 0;
  const counted: CalendarProvider = Object.assign(Object.create(provider) as CalendarProvider, {
    listChanges: async (request: Parameters<CalendarProvider['listChanges']>[0]) => {
      try {
        return await provider.listChanges(request);
      } catch (error) {
        failures += 1;
        throw error;
      }
    },
  });
  return { provider: counted, failures: () => failures };
}
