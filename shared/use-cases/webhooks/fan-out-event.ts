import type { DomainEvent } from '../../domain/domain-events.ts';
import { stableId } from '../../domain/ids.ts';
import type { WebhookEndpoint } from '../../domain/webhook-endpoint.ts';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Log } from '../../ports/log.ts';
import type { WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import { endpointReceives, webhookPayload } from '../../domain/webhook-routing.ts';
import { deliveryMessageOf, type DeliveryMessage, type WebhookDelivery } from '../../domain/webhook-delivery.ts';

export interface FanOutDeps {
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  deliveryQueue: JobQueue<DeliveryMessage>;
  clock: Clock;
  log: Log;
}

export interface FanOutResult {
  endpoints: number;
  created: number;
  queued: number;
}

/** The one delivery of `event` to `endpoint`: its id is derived from both, so it is created at most once. */
export function deliveryIdOf(tenantId: string, endpointId: string, eventId: string): string {
  return stableId('dlv', tenantId, endpointId, eventId);
}

export function newDelivery(event: DomainEvent, endpoint: WebhookEndpoint, payload: string, now: string): WebhookDelivery {
  return {
    tenantId: event.tenantId,
    endpointId: endpoint.id,
    id: deliveryIdOf(event.tenantId, endpoint.id, event.id),
    messageId: event.id,
    eventId: event.id,
    eventType: event.type,
    eventTime: event.time,
    payload,
    status: 'pending',
    failure: null,
    round: 1,
    roundAttempts: 0,
    attemptCount: 0,
    attempts: [],
    nextAttemptAt: null,
    lastStatusCode: null,
    lastErrorClass: null,
    queuedRound: 0,
    finalizedRound: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/**
 * Creates one delivery per enabled endpoint of the event's tenant that wants the event, and queues one
 * message per delivery. Safe to repeat (EventBridge delivers at least once, and a crashed run is retried):
 * a delivery that exists is not created again, and it is queued again only if its message was never
 * recorded as sent.
 */
export async function fanOutEvent(deps: FanOutDeps, event: DomainEvent): Promise<FanOutResult> {
  const targets = (await deps.endpoints.listAll(event.tenantId)).filter((endpoint) => endpointReceives(endpoint, event));
  if (targets.length === 0) return { endpoints: 0, created: 0, queued: 0 };
  const now = deps.clock.now().toISOString();
  const payload = webhookPayload(event);
  const results = await Promise.all(targets.map((endpoint) => deps.deliveries.create(newDelivery(event, endpoint, payload, now))));
  const toQueue = results.map((result) => result.delivery).filter((delivery) => delivery.queuedRound < delivery.round && delivery.status === 'pending');
  await deps.deliveryQueue.send(toQueue.map((delivery) => ({ body: deliveryMessageOf(delivery) })));
  await Promise.all(toQueue.map((delivery) => deps.deliveries.markQueued(delivery.tenantId, delivery.endpointId, delivery.id, delivery.round)));
  const created = results.filter((result) => result.created).length;
  deps.log.debug('webhook fan-out', { eventId: event.id, type: event.type, endpoints: targets.length, created, queued: toQueue.length });
  return { endpoints: targets.length, created, queued: toQueue.length };
}
