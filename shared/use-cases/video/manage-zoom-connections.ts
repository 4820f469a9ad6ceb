import { notFound, toAppError } from '../../domain/app-error.ts';
import type { VideoConnectionView } from '../../domain/video-connection.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Log } from '../../ports/log.ts';
import type { VideoConnectionStore } from '../../ports/video-connection-store.ts';
import type { ZoomConnector } from '../../ports/zoom-connector.ts';
import { videoConnectionView } from './connect-zoom.ts';

export interface ManageZoomConnectionsDeps {
  videoConnections: Pick<VideoConnectionStore, 'list' | 'get' | 'delete' | 'usageByUser'>;
  zoom: Pick<ZoomConnector, 'revoke'>;
  clock: Clock;
  log: Log;
}

/** Connections whose quota is read at once (each is one query of its counters). */
const VIEW_BATCH = 8;

/**
 * GET /v1/connections/zoom: a page of the tenant's Zoom connections, each with its status and today's
 * quota per Zoom user. Only the caller's partition is read; credentials never leave the store.
 *
 * @example
 *   const { items, nextCursor } = await listZoomConnections(deps, { tenantId, limit: 50 });
 */
export async function listZoomConnections(deps: Pick<ManageZoomConnectionsDeps, 'videoConnections' | 'clock'>, input: { tenantId: string; cursor?: string | undefined; limit: number }): Promise<{ items: VideoConnectionView[]; nextCursor: string | null }> {
  const page = await deps.videoConnections.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  const items: VideoConnectionView[] = [];
  for (let i = 0; i < page.items.length; i += VIEW_BATCH) items.push(...(await Promise.all(page.items.slice(i, i + VIEW_BATCH).map((connection) => videoConnectionView(deps, connection)))));
  return { items, nextCursor: page.cursor };
}

/**
 * DELETE /v1/connections/zoom/{id}: a user-level connection's grant is revoked at Zoom first (it needs the
 * sealed tokens), then the connection and its credentials are removed. The revoke is best effort: Zoom
 * down or refusing is logged, and the disconnect goes on, since the tenant asked for the connection to be
 * gone and a grant we no longer hold tokens for can do nothing here (the user can still remove the app in
 * Zoom). A Server-to-Server connection has no user grant: it is only deleted. Meetings made with it stay at
 * Zoom (their links keep working); bookings of booking types that still name it are refused with
 * `video.connection_missing` (409) until the booking type names another connection.
 */
export async function disconnectZoom(deps: ManageZoomConnectionsDeps, tenantId: string, connectionId: string): Promise<void> {
  const connection = await deps.videoConnections.get(tenantId, connectionId);
  if (!connection) throw notFound('Zoom connection');
  if (connection.kind === 'user') {
    await deps.zoom.revoke(connection).catch((error: unknown) => {
      const failure = toAppError(error);
      deps.log.warn('Zoom grant revoke failed; the connection is removed anyway', { connectionId, code: failure.code, retryable: failure.retryable, error: failure.message });
    });
  }
  if (!(await deps.videoConnections.delete(tenantId, connectionId))) throw notFound('Zoom connection');
}
