import { scheduleDeps } from '../../shared/runtime/deps/write-side.ts';
import { scheduleDueSyncs } from '../../shared/use-cases/sync/schedule-due-syncs.ts';
import { withLambdaContext } from '../../shared/runtime/logger.ts';

/** Every few minutes: queue a safety sync (or a CalDAV poll) for each calendar that is due. Throws so the schedule retries. */
async function handleInvocation(): Promise<{ due: number; enqueued: number }> {
  return scheduleDueSyncs(scheduleDeps());
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
