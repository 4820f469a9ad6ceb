import { notFound } from '../../domain/app-error.ts';
import type { VideoConnectionView } from '../../domain/video-connection.ts';
import type { Clock } from '../../ports/clock.ts';
import type { VideoConnectionStore } from '../../ports/video-connection-store.ts';
import { videoConnectionView } from './connect-zoom.ts';

export interface ManageZoomConnectionsDeps {
  videoConnections: Pick<VideoConnectionStore, 'list' | 'delete' | 'usageByUser'>;
  clock: Clock;
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
export async function listZoomConnections(deps: ManageZoomConnectionsDeps, input: { tenantId: string; cursor?: string | undefined; limit: number }): Promise<{ items: VideoConnectionView[]; nextCursor: string | null }> {
  const page = await deps.videoConnections.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  const items: VideoConnectionView[] = [];
  for (let i = 0; i < page.items.length; i += VIEW_BATCH) items.push(...(await Promise.all(page.items.slice(i, i + VIEW_BATCH).map((connection) => videoConnectionView(deps, connection)))));
  return { items, nextCursor: page.cursor };
}

/**
 * DELETE /v1/connections/zoom/{id}: the connection and its sealed credentials are removed. Meetings made
 * with it stay at Zoom (their links keep working); bookings of booking types that still name it are
 * refused with `video.connection_missing` (409) until the booking type names another connection.
 */
export async function disconnectZoom(deps: ManageZoomConnectionsDeps, tenantId: string, connectionId: string): Promise<void> {
  if (!(await deps.videoConnections.delete(tenantId, connectionId))) throw notFound('Zoom connection');
}
