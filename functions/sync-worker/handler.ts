import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { SyncJob } from '../../shared/domain/sync-job.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { syncDeps } from '../../shared/runtime/deps/write-side.ts';
import { logger } from '../../shared/runtime/logger.ts';
import { runSyncJob } from '../../shared/use-cases/sync/run-sync-job.ts';

/** Failed syncs wait 2, 4, 8 … minutes (≤ 15) between attempts; a rate limit waits what the provider asked. */
function retryDelaySeconds(error: { retryAfterMs?: number | undefined }, receiveCount: number): number {
  if (error.retryAfterMs) return Math.ceil(error.retryAfterMs / 1000);
  const base = Math.min(900, 120 * 2 ** Math.max(0, receiveCount - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
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
    retryDelaySeconds,
    concurrency: 4,
    log: logger,
  });
}
