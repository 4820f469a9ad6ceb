import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { domainEvent, type DomainEvent } from '../../../shared/domain/domain-events.ts';
import { QUEUES } from '../../../infra/topology.ts';
import { redeliverDeps, webhookDeliveryStore, webhookOverrides } from '../../../shared/runtime/deps/webhooks.ts';
import { recoverDeliveries } from '../../../shared/use-cases/webhooks/redeliver.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../simulators/webhook-receiver/receiver.ts';
import { startHarness, type Harness } from './harness.ts';

/**
 * Issue 10 item 4: a delivery message that SQS itself dead-letters (its worker failed on every one of the
 * queue's receives, so no attempt ever ended the delivery) used to leave the delivery `pending` for ever, and
 * `recover` only picked `failed` ones. The delivery DLQ's consumer now ends every such delivery `failed` with
 * `webhook.delivery.exhausted`, and recover redelivers it.
 */
let harness: Harness;
const receivers: WebhookReceiver[] = [];
const MAX_RECEIVES = QUEUES.find((q) => q.name === 'webhook-delivery')!.maxReceiveCount;

beforeAll(async () => {
  harness = await startHarness({ schedule: '0.2,0.4', timeoutMs: 500, visibilitySeconds: 2, reconcileDeadLetters: true });
});
afterAll(async () => {
  await harness?.stop();
});
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.stop();
  delete webhookOverrides.sender;
});

function syncCompleted(tenantId: string): DomainEvent {
  return domainEvent('calendar.sync.completed', tenantId, {
    connectionId: 'con_1',
    calendarId: 'cal_1',
    mode: 'incremental',
    resynced: false,
    created: 1,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    pages: 1,
    durationMs: 3,
  });
}

describe('deliveries SQS dead-letters (every receive failed): reconciled by the delivery DLQ consumer', () => {
  it('ends the delivery failed with one webhook.delivery.exhausted event, and recover then delivers it with the same webhook-id', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const target = await startWebhookReceiver();
    receivers.push(target);
    const endpoint = await harness.createEndpoint(tenantId, target.url, ['calendar.*']);
    target.setSecrets([endpoint.secret]);
    // The worker fails before it can record any attempt, on every receive (a poison condition in our code,
    // not the receiver's answer): the delivery item never leaves `pending` through the worker.
    let workerCalls = 0;
    webhookOverrides.sender = {
      send: () => {
        workerCalls += 1;
        return Promise.reject(new AppError('internal.unexpected', 'worker bug', { retryable: false }));
      },
    };
    const event = syncCompleted(tenantId);
    await harness.publish(event);

    const ended = await harness.waitUntil(async () => {
      const [delivery] = await harness.deliveriesOf(tenantId, endpoint.id);
      return delivery && delivery.status !== 'pending' ? delivery : null;
    }, 30_000);
    expect(workerCalls).toBe(MAX_RECEIVES);
    expect(ended).toMatchObject({ status: 'failed', failure: 'exhausted', messageId: event.id });
    const exhausted = () => harness.bus.published.filter((e) => e.type === 'webhook.delivery.exhausted' && (e.data as { deliveryId: string }).deliveryId === ended.id);
    await harness.waitUntil(async () => exhausted().length > 0);
    expect(exhausted()).toHaveLength(1);
    expect(exhausted()[0]!.data).toMatchObject({ endpointId: endpoint.id, messageId: event.id, eventId: event.id });
    // The consumer acknowledged it: the DLQ holds nothing for this delivery any more.
    await harness.waitUntil(async () => !harness.deadLetterQueues['webhook-delivery'].peekBodies().some((b) => b.includes(ended.id)));

    delete webhookOverrides.sender;
    const recovered = await recoverDeliveries(redeliverDeps(), tenantId, endpoint.id, new Date(Date.now() - 60_000));
    expect(recovered).toEqual({ recovered: 1, more: false });
    const delivered = await harness.waitUntil(async () => {
      const [delivery] = await harness.deliveriesOf(tenantId, endpoint.id);
      return delivery?.status === 'succeeded' ? delivery : null;
    });
    expect(delivered.id).toBe(ended.id);
    expect(target.deliveries.filter((d) => d.webhookId === event.id && d.verified)).toHaveLength(1);
  }, 60_000);

  it('keeps an unparseable dead letter in the DLQ (for an operator, alarmed) instead of dropping it', async () => {
    const dlq = harness.deadLetterQueues['webhook-delivery'];
    const body = `not json ${randomUUID()}`;
    const messageId = dlq.sendRaw(body);
    const response = await harness.waitUntil(async () => harness.deadLetterResponses.find((r) => r.messageIds.includes(messageId))?.response);
    expect(response.batchItemFailures).toContainEqual({ itemIdentifier: messageId });
    expect(dlq.peekBodies()).toContain(body);
  });
});

describe('recover covers deliveries stuck pending too', () => {
  it('redelivers a delivery left pending long past its due time (its message lost), oldest first with the failed ones', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const target = await startWebhookReceiver();
    receivers.push(target);
    const endpoint = await harness.createEndpoint(tenantId, target.url, ['calendar.*']);
    target.setSecrets([endpoint.secret]);
    const first = syncCompleted(tenantId);
    await harness.publish(first);
    const delivery = await harness.waitUntil(async () => {
      const [found] = await harness.deliveriesOf(tenantId, endpoint.id);
      return found?.status === 'succeeded' ? found : null;
    });
    // As a message lost after 12 failed receives leaves it: pending, its last change two hours ago.
    const longAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await webhookDeliveryStore().update(tenantId, endpoint.id, delivery.id, delivery.version, { status: 'pending', nextAttemptAt: longAgo, updatedAt: longAgo });

    const recovered = await recoverDeliveries(redeliverDeps(), tenantId, endpoint.id, new Date(Date.now() - 60_000));
    expect(recovered).toEqual({ recovered: 1, more: false });
    await harness.waitUntil(async () => target.deliveries.filter((d) => d.webhookId === first.id).length === 2);
    const [after] = await harness.deliveriesOf(tenantId, endpoint.id);
    expect(after).toMatchObject({ status: 'succeeded', round: 2 });
  });

  it('leaves a pending delivery that is merely waiting for its next attempt alone', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const target = await startWebhookReceiver();
    receivers.push(target);
    const endpoint = await harness.createEndpoint(tenantId, target.url, ['calendar.*']);
    target.setSecrets([endpoint.secret]);
    await harness.publish(syncCompleted(tenantId));
    const delivery = await harness.waitUntil(async () => {
      const [found] = await harness.deliveriesOf(tenantId, endpoint.id);
      return found?.status === 'succeeded' ? found : null;
    });
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    await webhookDeliveryStore().update(tenantId, endpoint.id, delivery.id, delivery.version, { status: 'pending', nextAttemptAt: soon });
    expect(await recoverDeliveries(redeliverDeps(), tenantId, endpoint.id, new Date(Date.now() - 60_000))).toEqual({ recovered: 0, more: false });
  });
});
