import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Log } from '../../ports/log.ts';
import { requestSync, type RequestSyncDeps } from './request-sync.ts';

/** A scheduled request stays pending this long before the scheduler may enqueue another one. */
const SCHEDULED_REQUEST_STALE_MS = 15 * 60_000;

export interface ScheduleDeps extends RequestSyncDeps {
  calendars: CalendarStore;
  log: Log;
}

/**
 * The safety net under push (reliability.md §4: a push is a hint): every calendar whose `nextSyncAt` has
 * passed gets a sync job — push calendars every SYNC_INTERVAL_MINUTES, CalDAV calendars (no push) every
 * CALDAV_POLL_INTERVAL_MINUTES, where an unchanged calendar costs one cheap request.
 */
export async function scheduleDueSyncs(deps: ScheduleDeps, options: { batchSize?: number; maxBatches?: number } = {}): Promise<{ due: number; enqueued: number }> {
  const batchSize = options.batchSize ?? 500;
  let due = 0;
  let enqueued = 0;
  // Walk the due index page by page: calendars just enqueued stay due until their sync runs, so asking for
  // "the oldest due" again would return the same page and cap a round at one batch.
  let after: string | null = null;
  for (let batch = 0; batch < (options.maxBatches ?? 20); batch++) {
    const page = await deps.calendars.listDueForSync(deps.clock.now(), batchSize, after);
    due += page.refs.length;
    const calendars = (await Promise.all(page.refs.map((ref) => deps.calendars.get(ref.tenantId, ref.calendarId)))).filter((c) => c !== null);
    enqueued += await requestSync(deps, calendars, 'schedule', { staleAfterMs: SCHEDULED_REQUEST_STALE_MS });
    if (page.next === null) break;
    after = page.next;
  }
  if (due) deps.log.info('scheduled safety syncs', { due, enqueued });
  return { due, enqueued };
}
