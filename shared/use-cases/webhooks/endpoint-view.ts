import type { WebhookEndpoint } from '../../domain/webhook-endpoint.ts';
import type { DeliveryAttempt, WebhookDelivery } from '../../domain/webhook-delivery.ts';

/** An endpoint as the API shows it: no tenant, no secret. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: WebhookEndpoint['disabledReason'];
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toEndpointView(endpoint: WebhookEndpoint): WebhookEndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    failingSince: endpoint.failingSince,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

/** A delivery as the API shows it: everything but the tenant, the body and bookkeeping. */
export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  messageId: string;
  eventId: string;
  eventType: string;
  eventTime: string;
  status: WebhookDelivery['status'];
  failure: WebhookDelivery['failure'];
  round: number;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastErrorClass: WebhookDelivery['lastErrorClass'];
  createdAt: string;
  updatedAt: string;
  attempts: DeliveryAttempt[];
}

export function toDeliveryView(delivery: WebhookDelivery): WebhookDeliveryView {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    messageId: delivery.messageId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    eventTime: delivery.eventTime,
    status: delivery.status,
    failure: delivery.failure,
    round: delivery.round,
    attemptCount: delivery.attemptCount,
    nextAttemptAt: delivery.nextAttemptAt,
    lastStatusCode: delivery.lastStatusCode,
    lastErrorClass: delivery.lastErrorClass,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    attempts: delivery.attempts,
  };
}
