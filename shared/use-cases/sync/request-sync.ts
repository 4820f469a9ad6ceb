import type { Calendar } from '../../domain/calendar.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SyncJob } from '../../domain/sync-job.ts';
import type { JobQueue } from '../../ports/job-queue.ts';

export interface RequestSyncDeps {
  calendars: CalendarStore;
  syncQueue: JobQueue<SyncJob>;
  clock: Clock;
}

/** A pending request older than this is presumed lost (its job vanished) and may be re-enqueued. */
export const PENDING_REQUEST_STALE_MS = 60_000;

/**
 * Asks for a sync of each calendar. A calendar that already has a request pending (no run has started since)
 * gets no second job: this is what turns a burst of pushes into one sync run (reliability.md §4).
 * Returns how many jobs were enqueued.
 */
export async function requestSync(
  deps: RequestSyncDeps,
  calendars: readonly Pick<Calendar, 'tenantId' | 'id' | 'connectionId'>[],
  reason: SyncJob['reason'],
  options: { full?: boolean; staleAfterMs?: number } = {},
): Promise<number> {
  const now = deps.clock.now();
  const jobs: SyncJob[] = [];
  for (const calendar of calendars) {
    const wanted = await deps.calendars.requestSync(calendar.tenantId, calendar.id, now, options.staleAfterMs ?? PENDING_REQUEST_STALE_MS);
    // A full sync (first sync, window change) must not be swallowed by a pending incremental one.
    if (!wanted && !options.full) continue;
    jobs.push({ tenantId: calendar.tenantId, connectionId: calendar.connectionId, calendarId: calendar.id, reason, requestedAt: now.toISOString(), ...(options.full ? { full: true } : {}) });
  }
  if (jobs.length) await deps.syncQueue.send(jobs.map((body) => ({ body })));
  return jobs.length;
}
