import * as z from 'zod/mini';
import { EventTypeFilter } from '../domain/webhook-endpoint.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { AttemptErrorClass, DeliveryAttempt, DeliveryFailure, DeliveryStatus } from '../domain/webhook-delivery.ts';
import { MAX_WEBHOOK_URL_LENGTH } from '../net/webhook-url-policy.ts';
import { CursorQuery, IdParams, PaginationQuery, ResourceId, intQuery, pageOf } from './common.ts';

const EndpointUrl = z.string({ error: 'a URL is required' }).check(z.minLength(1), z.maxLength(MAX_WEBHOOK_URL_LENGTH));
const EventTypes = z.array(EventTypeFilter).check(z.minLength(1, 'name at least one event type (or *)'), z.maxLength(50));
const Description = z.nullable(z.string().check(z.maxLength(500)));

export const CreateWebhookEndpointBody = z.strictObject({
  url: EndpointUrl,
  eventTypes: EventTypes,
  description: z.optional(Description),
});

export const UpdateWebhookEndpointBody = z
  .strictObject({
    url: z.optional(EndpointUrl),
    eventTypes: z.optional(EventTypes),
    enabled: z.optional(z.boolean()),
    description: z.optional(Description),
  })
  .check(
    z.refine((body) => Object.values(body).some((value) => value !== undefined), 'send at least one of url, eventTypes, enabled, description'),
  );

export const RecoverBody = z.strictObject({
  since: z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2026-11-01T00:00:00Z' }),
});

export const DeliveryParams = z.object({ id: ResourceId, deliveryId: ResourceId });

export const ListDeliveriesQuery = z.object({
  status: z.optional(DeliveryStatus),
  cursor: CursorQuery,
  limit: intQuery(1, 100, 20),
});

export const WebhookEndpointView = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  disabledReason: z.nullable(z.enum(['gone', 'failing', 'manual'])),
  failingSince: z.nullable(Instant),
  createdAt: Instant,
  updatedAt: Instant,
});

const Secret = z.string().check(z.meta({ description: 'whsec_ + base64 of 32 random bytes. Shown only here; store it to verify signatures.' }));

export const WebhookDeliveryView = z.object({
  id: z.string(),
  endpointId: z.string(),
  /** The `webhook-id` header of every attempt (the domain event id). */
  messageId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  eventTime: Instant,
  status: DeliveryStatus,
  failure: z.nullable(DeliveryFailure),
  round: z.int(),
  attemptCount: z.int(),
  nextAttemptAt: z.nullable(Instant),
  lastStatusCode: z.nullable(z.int()),
  lastErrorClass: z.nullable(AttemptErrorClass),
  createdAt: Instant,
  updatedAt: Instant,
  attempts: z.array(DeliveryAttempt),
});

const tags = ['webhooks'];

export const createWebhookEndpointRoute = defineRoute({
  operationId: 'createWebhookEndpoint',
  method: 'POST',
  path: '/v1/webhook-endpoints',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Register a webhook endpoint',
  description: [
    'Deliveries follow Standard Webhooks: a JSON body `{type, timestamp, data}` signed in `webhook-signature` (HMAC-SHA256 with the returned `secret`), with `webhook-id` (the same on every retry) and `webhook-timestamp`.',
    '`eventTypes` holds exact domain event types, prefixes such as `calendar.*`, or `*`.',
    'The URL must be https and must not point to a loopback, private, link-local or unique-local address, now or when a delivery is sent (the local stack allows http to loopback with ALLOW_INSECURE_WEBHOOK_URLS=1).',
  ].join(' '),
  tags,
  body: CreateWebhookEndpointBody,
  responses: { 201: { description: 'The endpoint with its signing secret.', schema: z.extend(WebhookEndpointView, { secret: Secret }) } },
});

export const listWebhookEndpointsRoute = defineRoute({
  operationId: 'listWebhookEndpoints',
  method: 'GET',
  path: '/v1/webhook-endpoints',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: "List the tenant's webhook endpoints",
  tags,
  query: PaginationQuery,
  responses: { 200: { description: 'A page of endpoints.', schema: pageOf(WebhookEndpointView) } },
});

export const getWebhookEndpointRoute = defineRoute({
  operationId: 'getWebhookEndpoint',
  method: 'GET',
  path: '/v1/webhook-endpoints/{id}',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Get one webhook endpoint',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The endpoint.', schema: WebhookEndpointView } },
});

export const updateWebhookEndpointRoute = defineRoute({
  operationId: 'updateWebhookEndpoint',
  method: 'PATCH',
  path: '/v1/webhook-endpoints/{id}',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Change a webhook endpoint',
  description:
    'Any of url, eventTypes, enabled, description. `enabled: true` on a disabled endpoint (410 Gone, 5 days of failures, or by hand) clears the reason and the failing streak; then POST …/recover to redeliver what failed meanwhile.',
  tags,
  params: IdParams,
  body: UpdateWebhookEndpointBody,
  responses: { 200: { description: 'The updated endpoint.', schema: WebhookEndpointView } },
});

export const deleteWebhookEndpointRoute = defineRoute({
  operationId: 'deleteWebhookEndpoint',
  method: 'DELETE',
  path: '/v1/webhook-endpoints/{id}',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Delete a webhook endpoint',
  description: 'Queued deliveries to it are dropped when they come up.',
  tags,
  params: IdParams,
  responses: { 204: { description: 'Deleted.' } },
});

export const rotateWebhookSecretRoute = defineRoute({
  operationId: 'rotateWebhookSecret',
  method: 'POST',
  path: '/v1/webhook-endpoints/{id}/rotate-secret',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: "Rotate an endpoint's signing secret",
  description: 'The previous secret stays valid for 24 hours; meanwhile every delivery carries one signature per valid secret, so a receiver holding either verifies.',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The new secret.', schema: z.object({ secret: Secret, previousSecretValidUntil: Instant }) } },
});

export const testWebhookEndpointRoute = defineRoute({
  operationId: 'testWebhookEndpoint',
  method: 'POST',
  path: '/v1/webhook-endpoints/{id}/test',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Send a webhook.test message to one endpoint',
  description: 'Publishes a `webhook.test` domain event that travels the normal pipeline (signing, retries, delivery log) to this endpoint only.',
  tags,
  params: IdParams,
  responses: { 202: { description: 'Published; its webhook-id is messageId.', schema: z.object({ messageId: z.string() }) } },
});

export const listWebhookDeliveriesRoute = defineRoute({
  operationId: 'listWebhookDeliveries',
  method: 'GET',
  path: '/v1/webhook-endpoints/{id}/deliveries',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: "An endpoint's delivery log",
  description: 'Newest first, each delivery with its attempts (time, status code, latency, error class, the first 1 KB of the response). Kept 90 days after the last change.',
  tags,
  params: IdParams,
  query: ListDeliveriesQuery,
  responses: { 200: { description: 'A page of deliveries.', schema: pageOf(WebhookDeliveryView) } },
});

export const retryWebhookDeliveryRoute = defineRoute({
  operationId: 'retryWebhookDelivery',
  method: 'POST',
  path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Redeliver one message now',
  description:
    'Sends the same body with the same `webhook-id` again, whatever the delivery\'s status. It starts a new round: the round\'s attempt counter starts over (the full retry schedule applies again) and the attempts are appended to the log.',
  tags,
  params: DeliveryParams,
  responses: { 202: { description: 'Queued.', schema: WebhookDeliveryView } },
});

export const recoverWebhookDeliveriesRoute = defineRoute({
  operationId: 'recoverWebhookDeliveries',
  method: 'POST',
  path: '/v1/webhook-endpoints/{id}/recover',
  function: 'api-webhooks',
  auth: 'jwt',
  summary: 'Redeliver everything that failed since a time',
  description:
    'Re-queues every failed delivery created at or after `since`, oldest first, each with its original `webhook-id` (a new round, as for a single retry). At most 500 per call; `more: true` means call again with the same `since`.',
  tags,
  params: IdParams,
  body: RecoverBody,
  responses: { 202: { description: 'Queued.', schema: z.object({ recovered: z.int(), more: z.boolean() }) } },
});

export const WebhookRoutes = [
  createWebhookEndpointRoute,
  listWebhookEndpointsRoute,
  getWebhookEndpointRoute,
  updateWebhookEndpointRoute,
  deleteWebhookEndpointRoute,
  rotateWebhookSecretRoute,
  testWebhookEndpointRoute,
  listWebhookDeliveriesRoute,
  retryWebhookDeliveryRoute,
  recoverWebhookDeliveriesRoute,
];
