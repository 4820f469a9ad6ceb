import {
  createWebhookEndpointRoute,
  deleteWebhookEndpointRoute,
  getWebhookEndpointRoute,
  listWebhookDeliveriesRoute,
  listWebhookEndpointsRoute,
  recoverWebhookDeliveriesRoute,
  retryWebhookDeliveryRoute,
  rotateWebhookSecretRoute,
  testWebhookEndpointRoute,
  updateWebhookEndpointRoute,
} from '../../shared/api/webhooks.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { deliveryLogDeps, endpointAdminDeps, redeliverDeps, sendTestDeps } from '../../shared/runtime/deps/webhooks.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { listDeliveries } from '../../shared/use-cases/webhooks/list-deliveries.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../../shared/use-cases/webhooks/manage-endpoints.ts';
import { recoverDeliveries, retryDelivery } from '../../shared/use-cases/webhooks/redeliver.ts';
import { sendTestMessage } from '../../shared/use-cases/webhooks/send-test-message.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(createWebhookEndpointRoute, async ({ tenantId, body }) => ({
      status: 201,
      body: await createWebhookEndpoint(endpointAdminDeps(), { tenantId, ...body }),
    })),
    bindRoute(listWebhookEndpointsRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listWebhookEndpoints(endpointAdminDeps(), { tenantId, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getWebhookEndpointRoute, async ({ tenantId, params }) => ({
      status: 200,
      body: await getWebhookEndpoint(endpointAdminDeps(), tenantId, params.id),
    })),
    bindRoute(updateWebhookEndpointRoute, async ({ tenantId, params, body }) => ({
      status: 200,
      body: await updateWebhookEndpoint(endpointAdminDeps(), tenantId, params.id, body),
    })),
    bindRoute(deleteWebhookEndpointRoute, async ({ tenantId, params }) => {
      await deleteWebhookEndpoint(endpointAdminDeps(), tenantId, params.id);
      return { status: 204 };
    }),
    bindRoute(rotateWebhookSecretRoute, async ({ tenantId, params }) => ({
      status: 200,
      body: await rotateWebhookSecret(endpointAdminDeps(), tenantId, params.id),
    })),
    bindRoute(testWebhookEndpointRoute, async ({ tenantId, params }) => ({
      status: 202,
      body: await sendTestMessage(sendTestDeps(), tenantId, params.id),
    })),
    bindRoute(listWebhookDeliveriesRoute, async ({ tenantId, params, query }) => ({
      status: 200,
      body: await listDeliveries(deliveryLogDeps(), { tenantId, endpointId: params.id, status: query.status, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(retryWebhookDeliveryRoute, async ({ tenantId, params }) => ({
      status: 202,
      body: await retryDelivery(redeliverDeps(), tenantId, params.id, params.deliveryId),
    })),
    bindRoute(recoverWebhookDeliveriesRoute, async ({ tenantId, params, body }) => ({
      status: 202,
      body: await recoverDeliveries(redeliverDeps(), tenantId, params.id, new Date(body.since)),
    })),
  ],
});
