import type { Context } from 'aws-lambda';
import type { BusyIndexBackfillProgress } from '../../shared/ports/busy-index-backfill.ts';
import { backfillBusyIndexDeps } from '../../shared/runtime/deps/busy-index.ts';
import { backfillBusyIndex } from '../../shared/use-cases/backfill-busy-index.ts';
import { withLambdaContext } from '../../shared/runtime/logger.ts';

/** Stop taking pages this long before the Lambda timeout, so the last page's progress is saved. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;

/**
 * The busy-index backfill: daily on its schedule (a completed walk returns at once; an unfinished one
 * continues where the last run stopped), and on demand after the deploy that brought the gsi4 keys:
 * `aws lambda invoke --function-name <stack>-busy-index-backfill --payload '{}' out.json`, or with
 * `{"restart":true}` to walk again. Free/busy reads gsi4 once a walk has completed (`completedAt`).
 */
async function handleInvocation(event: { restart?: boolean } | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<BusyIndexBackfillProgress> {
  return backfillBusyIndex(backfillBusyIndexDeps(), {
    restart: event?.restart === true,
    ...(context ? { hasTime: () => context.getRemainingTimeInMillis() > STOP_BEFORE_TIMEOUT_MS } : {}),
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
