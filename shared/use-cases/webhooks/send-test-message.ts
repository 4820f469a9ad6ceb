import { AppError, notFound } from '../../domain/app-error.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';

export interface SendTestDeps {
  endpoints: WebhookEndpointStore;
  publisher: EventPublisher;
  clock: Clock;
}

/**
 * Publishes a `webhook.test` domain event for one endpoint; it travels the normal pipeline (bus, fan-out,
 * delivery queue, signed POST) and is delivered to that endpoint only. Its `webhook-id` is the event id.
 */
export async function sendTestMessage(deps: SendTestDeps, tenantId: string, endpointId: string): Promise<{ messageId: string }> {
  const endpoint = await deps.endpoints.get(tenantId, endpointId);
  if (!endpoint) throw notFound('Webhook endpoint');
  if (!endpoint.enabled) throw new AppError('resource.conflict', 'The endpoint is disabled; enable it (PATCH enabled: true) before sending a test');
  const event = domainEvent('webhook.test', tenantId, { endpointId, message: 'A test message from calendar-integrations.' }, { time: deps.clock.now() });
  await deps.publisher.publish([event]);
  return { messageId: event.id };
}
