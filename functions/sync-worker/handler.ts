import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { backoffRetryDelay, processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { SyncJob } from '../../shared/domain/sync-job.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { syncDeps } from '../../shared/runtime/deps/write-side.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { runSyncJob } from '../../shared/use-cases/sync/run-sync-job.ts';

/** Failed syncs wait about 2, 4, 8 … minutes (≤ 15) between attempts; a rate limit waits what the provider asked. */
export const syncRetryDelaySeconds = backoffRetryDelay(120_000);

async function handleInvocation(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processSqsBatch<SyncJob>(event, {
    parse: (body) => SyncJob.parse(JSON.parse(body)),
    // Several jobs for one calendar in a batch (a burst of pushes) become one sync run.
    groupKey: (job) => `${job.tenantId}/${job.calendarId}`,
    handle: async (entries) => {
      const latest = entries.reduce((a, b) => (a.item.requestedAt >= b.item.requestedAt ? a : b)).item;
      const outcome = await runSyncJob(syncDeps(), {
        ...latest,
        full: entries.some((entry) => entry.item.full),
        runId: context.awsRequestId,
      });
      logger.info('sync job done', { calendarId: latest.calendarId, reason: latest.reason, jobs: entries.length, ...outcome });
    },
    queue: jobQueue('sync'),
    retryDelaySeconds: syncRetryDelaySeconds,
    concurrency: 4,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
