import { AppError, notFound } from '../../domain/app-error.ts';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import { deliveryMessageOf, type DeliveryMessage, type WebhookDelivery } from '../../domain/webhook-delivery.ts';
import { toDeliveryView, type WebhookDeliveryView } from './endpoint-view.ts';

export interface RedeliverDeps {
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  deliveryQueue: JobQueue<DeliveryMessage>;
  clock: Clock;
}

/**
 * A pending delivery this long past its due time (its next attempt, else its last change) has no live
 * message: the queue's own retries of a failing worker give up after about 47 min (12 receives backing off
 * from 2 s to 15 min) and dead-letter it. Recover takes it as it takes a failed one.
 */
export const STUCK_PENDING_AFTER_MS = 3_600_000;

/** Deliveries one recover call re-queues at most; call again with the same `since` for the rest. */
export const MAX_RECOVER_PER_CALL = 500;
const RECOVER_PAGE = 100;

async function enabledEndpoint(deps: RedeliverDeps, tenantId: string, endpointId: string): Promise<void> {
  const endpoint = await deps.endpoints.get(tenantId, endpointId);
  if (!endpoint) throw notFound('Webhook endpoint');
  if (!endpoint.enabled) throw new AppError('resource.conflict', 'The endpoint is disabled; enable it (PATCH enabled: true) before redelivering');
}

/**
 * Starts a new round of a delivery: status pending, the round's attempt counter back to 0 (the full retry
 * schedule applies again), the attempt log kept and appended to. The queue message names the new round, so
 * a message of an older round still in the queue is ignored when it comes up.
 */
async function startRound(deps: RedeliverDeps, delivery: WebhookDelivery): Promise<WebhookDelivery> {
  return deps.deliveries.update(delivery.tenantId, delivery.endpointId, delivery.id, delivery.version, {
    round: delivery.round + 1,
    roundAttempts: 0,
    status: 'pending',
    failure: null,
    nextAttemptAt: null,
    updatedAt: deps.clock.now().toISOString(),
  });
}

async function queue(deps: RedeliverDeps, deliveries: WebhookDelivery[]): Promise<void> {
  await deps.deliveryQueue.send(deliveries.map((delivery) => ({ body: deliveryMessageOf(delivery) })));
  for (const delivery of deliveries) await deps.deliveries.markQueued(delivery.tenantId, delivery.endpointId, delivery.id, delivery.round);
}

/** Redelivers one message now (whatever its status), with its original `webhook-id` and body. */
export async function retryDelivery(deps: RedeliverDeps, tenantId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
  await enabledEndpoint(deps, tenantId, endpointId);
  const delivery = await deps.deliveries.get(tenantId, endpointId, deliveryId);
  if (!delivery) throw notFound('Webhook delivery');
  const next = await startRound(deps, delivery);
  await queue(deps, [next]);
  return toDeliveryView(next);
}

/**
 * Re-queues every failed or stuck-pending delivery of the endpoint created at or after `since`, oldest
 * first, each with its original `webhook-id`. At most MAX_RECOVER_PER_CALL per call (`more` says whether
 * more may remain); recovered deliveries are pending and fresh, so calling again with the same `since`
 * continues where this stopped.
 */
export async function recoverDeliveries(deps: RedeliverDeps, tenantId: string, endpointId: string, since: Date): Promise<{ recovered: number; more: boolean }> {
  await enabledEndpoint(deps, tenantId, endpointId);
  let recovered = 0;
  let cursor: string | null = null;
  do {
    const page = await deps.deliveries.listSince(tenantId, endpointId, since, ['failed', 'pending'], { cursor, limit: Math.min(RECOVER_PAGE, MAX_RECOVER_PER_CALL - recovered) });
    const stuckBefore = deps.clock.now().getTime() - STUCK_PENDING_AFTER_MS;
    const restarted: WebhookDelivery[] = [];
    for (const delivery of page.items) {
      if (delivery.status === 'pending' && Date.parse(delivery.nextAttemptAt ?? delivery.updatedAt) > stuckBefore) continue;
      restarted.push(await startRound(deps, delivery));
    }
    await queue(deps, restarted);
    recovered += restarted.length;
    cursor = page.cursor;
  } while (cursor && recovered < MAX_RECOVER_PER_CALL);
  return { recovered, more: cursor !== null };
}
