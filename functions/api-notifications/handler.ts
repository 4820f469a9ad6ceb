import {
  createNotificationChannelRoute,
  deleteNotificationChannelRoute,
  getNotificationChannelRoute,
  listNotificationChannelsRoute,
  listNotificationsRoute,
  unsubscribeOneClickRoute,
  unsubscribeRoute,
  updateNotificationChannelRoute,
} from '../../shared/api/notifications.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { channelAdminDeps, notificationLogDeps } from '../../shared/runtime/deps/notifications.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import {
  createNotificationChannel,
  deleteNotificationChannel,
  getNotificationChannel,
  listNotificationChannels,
  updateNotificationChannel,
} from '../../shared/use-cases/notifications/manage-channels.ts';
import { listNotifications, unsubscribe } from '../../shared/use-cases/notifications/notification-log.ts';

/** The page an unsubscribe link opens (no personal data: the address is not shown). */
const UNSUBSCRIBED_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unsubscribed</title></head><body><h1>You are unsubscribed</h1><p>You will get no more of these emails.</p></body></html>';

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
    bindRoute(listNotificationsRoute, async ({ tenantId, query }) => ({ status: 200, body: await listNotifications(notificationLogDeps(), { tenantId, ...query }) })),
    bindRoute(unsubscribeRoute, async ({ query }) => {
      await unsubscribe(notificationLogDeps(), query.token);
      return { status: 200, body: UNSUBSCRIBED_PAGE, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } };
    }),
    bindRoute(unsubscribeOneClickRoute, async ({ query }) => {
      await unsubscribe(notificationLogDeps(), query.token);
      return { status: 204 };
    }),
    bindRoute(deleteNotificationChannelRoute, async ({ tenantId, params }) => {
      await deleteNotificationChannel(channelAdminDeps(), tenantId, params.id);
      return { status: 204 };
    }),
  ],
});
