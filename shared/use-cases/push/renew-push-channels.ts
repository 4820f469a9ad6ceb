import { toAppError } from '../../domain/app-error.ts';
import type { CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import { recordReauthRequired } from '../sync/connection-health.ts';
import { ensurePushChannel, type PushDeps } from './push-channels.ts';

const PAGE_SIZE = 500;
const MAX_PAGES = 20;

export interface RenewDeps extends PushDeps {
  connections: ConnectionStore;
  providers: CalendarProviderFactory;
  publisher: EventPublisher;
  /** The integration log: one push.renewed entry per channel renewed or failed. */
  integrationLog?: IntegrationLogWriter | undefined;
}

/**
 * Replaces (Google) or extends (Graph) every push channel that expires within the renewal horizon. A failure
 * is logged and retried on the next run; meanwhile the scheduled safety sync keeps the calendar current.
 */
export async function renewPushChannels(deps: RenewDeps): Promise<{ renewed: number; failed: number }> {
  const horizon = new Date(deps.clock.now().getTime() + deps.settings.renewBeforeMs);
  // Every expiring channel, page by page: the ones we skip (connection needs re-authorization) or fail to
  // renew stay in the index, and must not hide the rest behind them.
  const refs = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const found = await deps.calendars.listPushExpiringBefore(horizon, PAGE_SIZE, after);
    refs.push(...found.refs);
    if (found.next === null) break;
    after = found.next;
  }
  let renewed = 0;
  let failed = 0;
  for (const ref of refs) {
    const calendar = await deps.calendars.get(ref.tenantId, ref.calendarId);
    if (!calendar?.push || !calendar.syncEnabled) continue;
    const connection = await deps.connections.get(calendar.tenantId, calendar.connectionId);
    if (!connection || connection.status === 'reauth_required' || connection.status === 'disabled') continue;
    try {
      const provider = await deps.providers.forConnection(connection);
      const channel = await ensurePushChannel(deps, calendar, provider, { force: true });
      renewed += 1;
      await recordIntegrationEvent(deps, { tenantId: calendar.tenantId, type: 'push.renewed', success: true, connectionId: calendar.connectionId, resourceId: calendar.id, summary: 'Push channel renewed', details: { expiresAt: channel?.expiresAt ?? null }, at: deps.clock.now() });
    } catch (thrown) {
      failed += 1;
      const error = toAppError(thrown);
      if (error.code === 'provider.auth_revoked') await recordReauthRequired(deps, connection, error);
      deps.log.warn('push channel renewal failed', { calendarId: calendar.id, code: error.code });
      await recordIntegrationEvent(deps, { tenantId: calendar.tenantId, type: 'push.renewed', success: false, connectionId: calendar.connectionId, resourceId: calendar.id, summary: `Push channel renewal failed (${error.code}); the scheduled sync covers the calendar meanwhile`, error: { code: error.code, message: error.message, retryable: error.retryable }, at: deps.clock.now() });
    }
  }
  return { renewed, failed };
}
