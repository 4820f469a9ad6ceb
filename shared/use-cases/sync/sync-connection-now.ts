import { notFound } from '../../domain/app-error.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import { reenableConnection } from './connection-health.ts';
import { requestSync, type RequestSyncDeps } from './request-sync.ts';

/**
 * POST /v1/connections/{id}/sync: queue a sync of every sync-enabled calendar (coalesced with pending ones).
 * On a `disabled` connection (persistent failures) this is also how it is re-enabled: active again, the
 * failure counter cleared, and synced at once.
 */
export async function syncConnectionNow(deps: RequestSyncDeps & { connections: ConnectionStore }, tenantId: string, connectionId: string): Promise<{ calendars: number; enqueued: number }> {
  const connection = await deps.connections.get(tenantId, connectionId);
  if (!connection) throw notFound('Connection');
  if (connection.status === 'disabled') await reenableConnection(deps, tenantId, connectionId);
  const calendars = (await deps.calendars.listByConnection(tenantId, connectionId)).filter((calendar) => calendar.syncEnabled);
  const enqueued = await requestSync(deps, calendars, 'manual');
  return { calendars: calendars.length, enqueued };
}
