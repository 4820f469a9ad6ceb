import {
  createNotificationChannelRoute,
  deleteNotificationChannelRoute,
  getNotificationChannelRoute,
  listNotificationChannelsRoute,
  updateNotificationChannelRoute,
} from '../../shared/api/notifications.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { channelAdminDeps } from '../../shared/runtime/deps/notifications.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import {
  createNotificationChannel,
  deleteNotificationChannel,
  getNotificationChannel,
  listNotificationChannels,
  updateNotificationChannel,
} from '../../shared/use-cases/notifications/manage-channels.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(createNotificationChannelRoute, async ({ tenantId, body }) => ({ status: 201, body: await createNotificationChannel(channelAdminDeps(), tenantId, body) })),
    bindRoute(listNotificationChannelsRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listNotificationChannels(channelAdminDeps(), { tenantId, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getNotificationChannelRoute, async ({ tenantId, params }) => ({ status: 200, body: await getNotificationChannel(channelAdminDeps(), tenantId, params.id) })),
    bindRoute(updateNotificationChannelRoute, async ({ tenantId, params, body }) => ({
      status: 200,
      body: await updateNotificationChannel(channelAdminDeps(), tenantId, params.id, body),
    })),
    bindRoute(deleteNotificationChannelRoute, async ({ tenantId, params }) => {
      await deleteNotificationChannel(channelAdminDeps(), tenantId, params.id);
      return { status: 204 };
    }),
  ],
});
