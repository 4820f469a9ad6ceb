import { isAppError } from '../../domain/app-error.ts';
import type { DeliveryMessage } from '../../domain/webhook-delivery.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { Log } from '../../ports/log.ts';
import type { WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import { finalizeDelivery } from './process-delivery.ts';

export interface ReconcileDeadLetterDeps {
  deliveries: WebhookDeliveryStore;
  endpoints: WebhookEndpointStore;
  publisher: EventPublisher;
  clock: Clock;
  log: Log;
}

export type ReconcileOutcome = 'ignored' | 'already_ended' | 'finalized' | 'exhausted';

/**
 * A message on the delivery queue's dead-letter queue. Two kinds arrive there: deliveries the worker ended
 * and dead-lettered itself (already `failed`; their ending is carried out if a crash interrupted it), and
 * messages SQS moved after `maxReceiveCount` receives that all failed (a worker bug, a crash loop, a store
 * outage longer than the receives last). The second kind left the delivery `pending` with no message to
 * move it on: it ends `failed` (`exhausted`, with `webhook.delivery.exhausted`) so the owner hears of it and
 * `recover` finds it. Conditional on the version read, so a worker that got there first wins.
 */
export async function reconcileDeadLetter(deps: ReconcileDeadLetterDeps, message: DeliveryMessage): Promise<ReconcileOutcome> {
  const delivery = await deps.deliveries.get(message.tenantId, message.endpointId, message.deliveryId);
  // A stale round's message: the delivery was redelivered since, and the newer round's message owns it.
  if (!delivery || delivery.round !== message.round || delivery.status === 'succeeded') return 'ignored';
  if (delivery.status === 'failed') {
    if (delivery.finalizedRound >= delivery.round) return 'already_ended';
    await finalizeDelivery(deps, delivery);
    return 'finalized';
  }
  let ended;
  try {
    ended = await deps.deliveries.update(delivery.tenantId, delivery.endpointId, delivery.id, delivery.version, {
      status: 'failed',
      failure: 'exhausted',
      nextAttemptAt: null,
      updatedAt: deps.clock.now().toISOString(),
    });
  } catch (error) {
    // Someone changed it meanwhile (a late worker, a redelivery): read again and decide on what is there now.
    if (isAppError(error, 'storage.conflict')) return reconcileDeadLetter(deps, message);
    throw error;
  }
  deps.log.warn('webhook delivery dead-lettered by the queue: ended as exhausted', { deliveryId: delivery.id, endpointId: delivery.endpointId, attempts: delivery.attemptCount });
  await finalizeDelivery(deps, ended);
  return 'exhausted';
}
