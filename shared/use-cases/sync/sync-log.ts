import { toAppError } from '../../domain/app-error.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import { recordIntegrationEvent, type IntegrationLogDeps } from '../../ports/integration-log.ts';
import type { SyncOutcome } from './sync-calendar.ts';

export interface SyncLogDeps extends IntegrationLogDeps {
  calendars: Pick<CalendarStore, 'get'>;
  clock: Clock;
}

/**
 * Runs one sync and records it in the integration log: a run that synced (mode, counts, duration) or failed
 * (code, message, retryable; thrown errors are rethrown unchanged). Skipped runs (coalesced, disabled) and
 * a run that found the calendar busy did nothing and are not logged. The log never changes the outcome.
 */
export async function logSyncRun(deps: SyncLogDeps, job: { tenantId: string; calendarId: string; runId: string }, run: () => Promise<SyncOutcome>): Promise<SyncOutcome> {
  if (!deps.integrationLog) return run();
  const startedMs = deps.clock.now().getTime();
  const entry = { tenantId: job.tenantId, type: 'sync.run' as const, correlationId: job.runId, resourceId: job.calendarId };
  const connectionOf = async () => (await deps.calendars.get(job.tenantId, job.calendarId).catch(() => null))?.connectionId ?? null;
  const durationMs = () => deps.clock.now().getTime() - startedMs;
  let outcome: SyncOutcome;
  try {
    outcome = await run();
  } catch (thrown) {
    const error = toAppError(thrown);
    // Another run holds the calendar: this one did nothing and comes back later.
    if (!(error.code === 'storage.conflict' && error.retryable)) {
      await recordIntegrationEvent(deps, {
        ...entry,
        success: false,
        connectionId: await connectionOf(),
        summary: `Sync failed (${error.code}), will be retried`,
        error: { code: error.code, message: error.message, retryable: error.retryable },
        details: { durationMs: durationMs() },
      });
    }
    throw thrown;
  }
  if (outcome.status === 'synced') {
    const { mode, resynced, pages, created, updated, deleted, unchanged } = outcome;
    await recordIntegrationEvent(deps, {
      ...entry,
      success: true,
      connectionId: await connectionOf(),
      summary: `${mode === 'full' ? 'Full' : 'Incremental'} sync: ${created} created, ${updated} updated, ${deleted} deleted`,
      details: { mode, resynced, pages, created, updated, deleted, unchanged, durationMs: durationMs() },
    });
  } else if (outcome.status === 'failed' || outcome.status === 'reauth_required') {
    const code = outcome.status === 'failed' ? outcome.code : 'provider.auth_revoked';
    await recordIntegrationEvent(deps, {
      ...entry,
      success: false,
      connectionId: await connectionOf(),
      summary: outcome.status === 'failed' ? `Sync failed (${code})` : 'Sync stopped: the connection needs reauthorization',
      error: { code, message: outcome.status === 'failed' ? "The sync failed for good (not retried); the connection's lastError has the provider's message" : 'The provider revoked the grant; the user must reconnect', retryable: false },
      details: { durationMs: durationMs() },
    });
  }
  return outcome;
}
