import { DOMAIN_EVENT_TYPE_NAMES, type DomainEvent } from './domain-events.ts';
import { eventTypeMatches, type WebhookEndpoint } from './webhook-endpoint.ts';

/** Events about webhooks themselves, which must not feed back into the endpoint they are about. */
const ABOUT_AN_ENDPOINT = new Set(['webhook.delivery.exhausted', 'webhook.endpoint.disabled']);

/**
 * Whether `endpoint` gets a delivery of `event`. Disabled endpoints get nothing; `webhook.test` goes only to
 * the endpoint it tests (whatever its filter); an exhaustion or disable notice never goes to the endpoint
 * it is about, and the exhaustion of a delivery that was itself an exhaustion notice is not announced
 * again (two failing endpoints subscribed to each other's notices would otherwise feed each other).
 */
export function endpointReceives(endpoint: WebhookEndpoint, event: DomainEvent): boolean {
  if (!endpoint.enabled || endpoint.tenantId !== event.tenantId) return false;
  const data = event.data as { endpointId?: unknown; eventType?: unknown };
  if (event.type === 'webhook.test') return data.endpointId === endpoint.id;
  if (ABOUT_AN_ENDPOINT.has(event.type)) {
    if (data.endpointId === endpoint.id) return false;
    if (event.type === 'webhook.delivery.exhausted' && data.eventType === 'webhook.delivery.exhausted') return false;
  }
  return eventTypeMatches(endpoint.eventTypes, event.type);
}

/** The webhook body of a domain event (Standard Webhooks: `{type, timestamp, data}`), as sent on every attempt. */
export function webhookPayload(event: DomainEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.time, data: event.data });
}

/**
 * Why a filter names nothing we send: null when it is `*`, a known type, or a prefix (`calendar.*`) that
 * matches at least one known type.
 */
export function unknownEventTypeFilter(filter: string): string | null {
  if (filter === '*') return null;
  if (filter.endsWith('.*')) {
    return DOMAIN_EVENT_TYPE_NAMES.some((type) => eventTypeMatches([filter], type)) ? null : `${filter} matches no event type`;
  }
  return (DOMAIN_EVENT_TYPE_NAMES as readonly string[]).includes(filter) ? null : `${filter} is not an event type`;
}
