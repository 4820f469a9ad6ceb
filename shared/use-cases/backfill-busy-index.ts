import type { BusyIndexBackfillProgress, BusyIndexBackfillStore } from '../ports/busy-index-backfill.ts';
import type { Clock } from '../ports/clock.ts';
import type { Log } from '../ports/log.ts';

export interface BackfillBusyIndexDeps {
  store: BusyIndexBackfillStore;
  clock: Clock;
  log: Log;
}

export interface BackfillBusyIndexOptions {
  /** Items examined per page (a scan page). */
  pageSize?: number;
  /** Asked before each page: false stops the run (the Lambda's time is running out); the next run resumes. */
  hasTime?: () => boolean;
  /** Walk the table again even if the last walk completed (after a writer on old code was found). */
  restart?: boolean;
}

/**
 * Gives every stored event the index keys the current code writes (gsi4 `busyByStart` for single events that
 * block their owner's time, `R#` on gsi1 for series parts), so free/busy can read one small index page per
 * calendar. Resumable like key rotation: the cursor and counts are saved after every page, and a completed
 * walk is what switches busy time over to gsi4 (DynamoEventStore `busyIndex: 'auto'`). A restart clears the
 * completion first, so readers fall back to the old path until the new walk completes. Run it after the
 * deploy that brought the new keys has finished: an event written since by old code would be missed.
 */
export async function backfillBusyIndex(deps: BackfillBusyIndexDeps, options: BackfillBusyIndexOptions = {}): Promise<BusyIndexBackfillProgress> {
  const pageSize = options.pageSize ?? 200;
  const saved = await deps.store.loadProgress();
  if (saved?.completedAt && !options.restart) return saved;
  const resuming = saved !== null && saved.completedAt === null && !options.restart;
  let progress: BusyIndexBackfillProgress = resuming
    ? saved
    : { cursor: null, reindexed: 0, alreadyCurrent: 0, changedMeanwhile: 0, startedAt: deps.clock.now().toISOString(), completedAt: null };
  if (!resuming) await deps.store.saveProgress(progress);
  for (;;) {
    if (options.hasTime && !options.hasTime()) {
      deps.log.info('busy-index backfill paused; the next run continues', { ...progress });
      return progress;
    }
    const page = await deps.store.listStale(progress.cursor, pageSize);
    let { reindexed, changedMeanwhile } = progress;
    for (const stale of page.stale) {
      if (await deps.store.reindex(stale)) reindexed += 1;
      else changedMeanwhile += 1;
    }
    progress = { ...progress, cursor: page.cursor, reindexed, changedMeanwhile, alreadyCurrent: progress.alreadyCurrent + page.examined - page.stale.length };
    if (page.cursor === null) progress = { ...progress, completedAt: deps.clock.now().toISOString() };
    await deps.store.saveProgress(progress);
    if (progress.completedAt) {
      deps.log.info('busy-index backfill complete', { ...progress });
      return progress;
    }
  }
}
