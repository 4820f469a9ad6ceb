import { toAppError } from '../../domain/app-error.ts';
import type { IntegrationLogWriter } from '../../ports/integration-log.ts';
import { ensurePushChannel, type PushSettings } from '../push/push-channels.ts';
import type { PushChannelIndex } from '../../ports/calendar-store.ts';
import { syncCalendar, type SyncDeps, type SyncOutcome, type SyncRequest } from './sync-calendar.ts';
import { logSyncRun } from './sync-log.ts';

export interface SyncJobDeps extends SyncDeps {
  pushChannels: PushChannelIndex;
  pushSettings: PushSettings;
  /** The integration log: one entry per run that did something (synced or failed). */
  integrationLog?: IntegrationLogWriter | undefined;
}

/**
 * One sync job: sync the calendar, then make sure it has a live push channel (one that failed to open at
 * connect time, or lapsed, is opened again here — push heals itself on the next safety sync).
 */
export async function runSyncJob(deps: SyncJobDeps, job: Omit<SyncRequest, 'requestedAt'> & { requestedAt: string }): Promise<SyncOutcome & { push?: string }> {
  const outcome = await logSyncRun(deps, job, () => syncCalendar(deps, { ...job, requestedAt: new Date(job.requestedAt) }));
  if (outcome.status !== 'synced') return outcome;
  const calendar = await deps.calendars.get(job.tenantId, job.calendarId);
  if (!calendar || calendar.push) return outcome;
  const connection = await deps.connections.get(job.tenantId, calendar.connectionId);
  if (!connection) return outcome;
  try {
    const provider = await deps.providers.forConnection(connection);
    const push = await ensurePushChannel({ calendars: deps.calendars, pushChannels: deps.pushChannels, clock: deps.clock, log: deps.log, settings: deps.pushSettings }, calendar, provider);
    return { ...outcome, ...(push ? { push: 'opened' } : {}) };
  } catch (error) {
    deps.log.warn('could not open a push channel after sync', { calendarId: calendar.id, code: toAppError(error).code });
    return outcome;
  }
}
