import { scheduleDeps } from '../../shared/runtime/deps/write-side.ts';
import { scheduleDueSyncs } from '../../shared/use-cases/sync/schedule-due-syncs.ts';

/** Every few minutes: queue a safety sync (or a CalDAV poll) for each calendar that is due. Throws so the schedule retries. */
export async function handler(): Promise<{ due: number; enqueued: number }> {
  return scheduleDueSyncs(scheduleDeps());
}
