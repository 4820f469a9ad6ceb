import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { domainEvent, type DomainEvent } from '../../../shared/domain/domain-events.ts';
import type { WebhookRequest, WebhookResponse } from '../../../shared/ports/webhook-sender.ts';
import { webhookEndpointStore, webhookOverrides, webhookSender } from '../../../shared/runtime/deps/webhooks.ts';
import type { WebhookDelivery } from '../../../shared/domain/webhook-delivery.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../simulators/webhook-receiver/receiver.ts';
import { startHarness, type Harness } from './harness.ts';

/** Compressed WEBHOOK_RETRY_SCHEDULE (seconds): the shape of 5 s … 10 h, fast enough for a test. */
const SCHEDULE = [0.2, 0.4, 0.6, 2.0, 0.3, 0.3, 0.3];
const TIMEOUT_MS = 500;
/** What the local pipeline may add to a scheduled wait: queue polling (25 ms), DynamoDB Local, a machine shared with other test runs (the lower bound is the schedule itself). */
const OVERHEAD_MS = 1_500;

let harness: Harness;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  harness = await startHarness({ schedule: SCHEDULE.join(','), timeoutMs: TIMEOUT_MS, visibilitySeconds: 2 });
});
afterAll(async () => {
  await harness?.stop();
});
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.stop();
  delete webhookOverrides.sender;
  delete webhookOverrides.resolver;
  harness.clock.offsetMs = 0;
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

function syncCompleted(tenantId: string, created = 1): DomainEvent {
  return domainEvent('calendar.sync.completed', tenantId, {
    connectionId: 'con_1',
    calendarId: 'cal_1',
    mode: 'incremental',
    resynced: false,
    created,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    pages: 1,
    durationMs: 12,
  });
}

async function setup(options: { url?: (target: WebhookReceiver) => string } = {}) {
  const tenantId = `tenant-${randomUUID()}`;
  const target = await receiver();
  const endpoint = await harness.createEndpoint(tenantId, options.url ? options.url(target) : target.url, ['calendar.*', 'webhook.*']);
  target.setSecrets([endpoint.secret]);
  const deliveryOf = async (eventId: string) => (await harness.deliveriesOf(tenantId, endpoint.id)).find((d) => d.eventId === eventId);
  const waitForDelivery = (eventId: string, done: (d: WebhookDelivery) => boolean = (d) => d.status !== 'pending', timeoutMs?: number) =>
    harness.waitUntil(async () => {
      const delivery = await deliveryOf(eventId);
      return delivery && done(delivery) ? delivery : null;
    }, timeoutMs);
  return { tenantId, target, endpoint, deliveryOf, waitForDelivery };
}

const arrivalsOf = (target: WebhookReceiver, id: string) => target.deliveries.filter((d) => d.webhookId === id);
const gapsMs = (times: number[]) => times.slice(1).map((at, i) => at - times[i]!);
/**
 * Positive evidence that nothing more can happen to an event's delivery: no queue of the pipeline still holds a
 * message naming it (visible, delayed for a retry, or in flight), so no further attempt can start. A scheduled
 * retry would keep its delayed message here and this would time out.
 */
async function nothingPendingFor(...ids: string[]): Promise<void> {
  const queues = [harness.queues['webhook-fanout'], harness.queues['webhook-delivery']];
  await harness.waitUntil(async () => !queues.some((queue) => queue.peekBodies().some((body) => ids.some((id) => body.includes(id)))), 10_000);
}

const dlqBodies = () => harness.deadLetterQueues['webhook-delivery'].peekBodies().map((body) => JSON.parse(body) as { deliveryId: string });

describe('the webhook pipeline (real handlers, SQS-faithful queues, DynamoDB Local, compressed schedule)', () => {
  it('delivers a domain event once, signed so that the standardwebhooks verifier accepts it', async () => {
    const { target, waitForDelivery, tenantId } = await setup();
    const event = syncCompleted(tenantId);

    await harness.publish(event);
    const delivery = await waitForDelivery(event.id);

    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1, lastStatusCode: 200, messageId: event.id });
    const [arrival] = arrivalsOf(target, event.id);
    expect(arrival).toMatchObject({ verified: true, contentType: 'application/json', userAgent: 'calendar-integrations-webhooks/1', type: 'calendar.sync.completed' });
    expect(JSON.parse(arrival!.body)).toEqual({ type: 'calendar.sync.completed', timestamp: event.time, data: event.data });
  });

  it('receiver down (500) for a compressed "2 hours", then up: attempts follow the schedule, each webhook-id acknowledged once, nothing lost, DLQ empty', async () => {
    // Prepare: down for each message's first 4 attempts (0.2+0.4+0.6 s of the compressed schedule), up for the 5th
    // (+2 s). Counted per webhook-id, not by the wall clock, so a slow machine cannot move the recovery.
    const { target, waitForDelivery, tenantId } = await setup();
    const events = [syncCompleted(tenantId, 1), syncCompleted(tenantId, 2), syncCompleted(tenantId, 3)];
    const dlqBefore = harness.deadLetterQueues['webhook-delivery'].depth;
    target.failAttemptsOfEachId(4, 500);

    // Act
    await harness.bus.publish(events);
    const deliveries = await Promise.all(events.map((event) => waitForDelivery(event.id, undefined, 30_000)));

    // Assess
    const acknowledgements = target.acknowledgements();
    for (const [index, event] of events.entries()) {
      expect(deliveries[index]).toMatchObject({ status: 'succeeded', attemptCount: 5 });
      expect(acknowledgements.get(event.id)).toBe(1);
      const arrivals = arrivalsOf(target, event.id);
      expect(arrivals.map((a) => a.answered)).toEqual([500, 500, 500, 500, 200]);
      const gaps = gapsMs(arrivals.map((a) => a.receivedAt));
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(SCHEDULE[i]! * 1000 * 0.9);
        expect(gap).toBeLessThanOrEqual(SCHEDULE[i]! * 1000 * 1.1 + OVERHEAD_MS);
      });
      expect(arrivals.every((a) => a.verified)).toBe(true);
    }
    expect(harness.deadLetterQueues['webhook-delivery'].depth).toBe(dlqBefore);
    expect((await webhookEndpointStore().get(tenantId, deliveries[0]!.endpointId))!.failingSince).toBeNull();
  });

  it('receiver always failing: exactly 8 attempts, then failed, webhook.delivery.exhausted, and the message in the DLQ', async () => {
    const { target, waitForDelivery, tenantId } = await setup();
    target.setBehaviour({ kind: 'fail', status: 503 });
    const event = syncCompleted(tenantId);

    await harness.publish(event);
    const delivery = await waitForDelivery(event.id, (d) => d.status === 'failed' && d.finalizedRound === 1, 30_000);

    expect(arrivalsOf(target, event.id)).toHaveLength(8);
    expect(delivery).toMatchObject({ failure: 'exhausted', attemptCount: 8, lastStatusCode: 503 });
    const exhausted = harness.bus.published.filter((e) => e.type === 'webhook.delivery.exhausted' && e.tenantId === tenantId);
    expect(exhausted.map((e) => e.data)).toEqual([expect.objectContaining({ deliveryId: delivery.id, messageId: event.id, attempts: 8, lastStatusCode: 503 })]);
    expect(dlqBodies().filter((body) => body.deliveryId === delivery.id)).toHaveLength(1);
    // Nothing more happens afterwards: no message for it is left to be received.
    await nothingPendingFor(event.id, delivery.id);
    expect(arrivalsOf(target, event.id)).toHaveLength(8);
  });

  it('disables an endpoint whose attempts all failed for 5 days (moved clock) and announces it', async () => {
    const { target, waitForDelivery, tenantId, endpoint } = await setup();
    target.setBehaviour({ kind: 'fail', status: 500 });
    const event = syncCompleted(tenantId);

    await harness.publish(event);
    await harness.waitUntil(async () => (await webhookEndpointStore().get(tenantId, endpoint.id))?.failingSince);
    harness.clock.offsetMs = 120 * 3_600_000;
    const delivery = await waitForDelivery(event.id, (d) => d.finalizedRound === 1);

    expect(delivery).toMatchObject({ status: 'failed', failure: 'failing' });
    expect(await webhookEndpointStore().get(tenantId, endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'failing' });
    await harness.waitUntil(async () => harness.bus.published.some((e) => e.type === 'webhook.endpoint.disabled' && e.tenantId === tenantId));
    expect(arrivalsOf(target, event.id).length).toBeLessThan(8);
  });

  describe('status matrix', () => {
    it('302 is a failure and is not followed; the redirect target is never contacted', async () => {
      const { target, waitForDelivery, tenantId } = await setup();
      const elsewhere = await receiver();
      target.queueBehaviour({ kind: 'redirect', location: elsewhere.url, status: 302 }, 1);
      const event = syncCompleted(tenantId);

      await harness.publish(event);
      const delivery = await waitForDelivery(event.id);

      expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, errorClass: 'redirect' });
      expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 2 });
      expect(elsewhere.deliveries).toEqual([]);
    });

    it('410 disables the endpoint at once, without further attempts', async () => {
      const { target, waitForDelivery, tenantId, endpoint } = await setup();
      target.setBehaviour({ kind: 'gone' });
      const event = syncCompleted(tenantId);

      await harness.publish(event);
      const delivery = await waitForDelivery(event.id, (d) => d.finalizedRound === 1);

      expect(delivery).toMatchObject({ status: 'failed', failure: 'gone', attemptCount: 1, lastStatusCode: 410 });
      expect(await webhookEndpointStore().get(tenantId, endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
      await nothingPendingFor(event.id, delivery.id);
      expect(arrivalsOf(target, event.id)).toHaveLength(1);
    });

    it.each([429, 503] as const)('%i with Retry-After: 1 waits at least 1 s although the schedule says 0.2 s', async (status) => {
      const { target, waitForDelivery, tenantId } = await setup();
      target.queueBehaviour({ kind: 'retry-after', status, retryAfter: '1' }, 1);
      const event = syncCompleted(tenantId);

      await harness.publish(event);
      await waitForDelivery(event.id);

      const [first, second] = arrivalsOf(target, event.id);
      expect(first!.answered).toBe(status);
      expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_000);
    });

    it('a hanging receiver times out (compressed timeout), and the next attempt follows the schedule', async () => {
      const { target, waitForDelivery, tenantId } = await setup();
      target.queueBehaviour({ kind: 'hang' }, 1);
      const event = syncCompleted(tenantId);

      await harness.publish(event);
      const delivery = await waitForDelivery(event.id);

      expect(delivery.attempts[0]).toMatchObject({ statusCode: null, errorClass: 'timeout' });
      expect(delivery.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(delivery.attempts[0]!.latencyMs).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 2 });
    });
  });

  it('a delivery worker that dies after sending and before recording: the retry delivers with the same webhook-id', async () => {
    // Prepare: the first send completes, then the invocation dies (nothing after the send runs)
    const { target, waitForDelivery, tenantId } = await setup();
    const real = webhookSender();
    let crashes = 0;
    webhookOverrides.sender = {
      async send(request: WebhookRequest): Promise<WebhookResponse> {
        const response = await real.send(request);
        if (crashes === 0) {
          crashes += 1;
          harness.crashDeliveryInvocation();
          return new Promise<never>(() => {});
        }
        return response;
      },
    };
    const event = syncCompleted(tenantId);

    // Act
    await harness.publish(event);
    const delivery = await waitForDelivery(event.id, undefined, 15_000);

    // Assess
    const arrivals = arrivalsOf(target, event.id);
    expect(crashes).toBe(1);
    expect(arrivals.map((a) => [a.webhookId, a.answered])).toEqual([
      [event.id, 200],
      [event.id, 200],
    ]);
    expect(arrivals[1]!.receivedAt - arrivals[0]!.receivedAt).toBeGreaterThanOrEqual(1_900);
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1 });
  });

  it('a batch of 10 with 3 poison messages: exactly those 3 are reported failed and dead-lettered, the 7 others delivered', async () => {
    // Prepare: 7 real deliveries (created by fan-out but not yet queued) and 3 poison bodies, sent as one batch
    const { target, tenantId, endpoint, deliveryOf } = await setup();
    const queue = harness.queues['webhook-delivery'];
    const events = Array.from({ length: 7 }, (_, i) => syncCompleted(tenantId, i + 10));
    const { fanOutEvent } = await import('../../../shared/use-cases/webhooks/fan-out-event.ts');
    const { fanOutDeps } = await import('../../../shared/runtime/deps/webhooks.ts');
    const held: string[] = [];
    for (const event of events) {
      await fanOutEvent({ ...fanOutDeps(), deliveryQueue: { send: async (messages) => void held.push(...messages.map((m) => JSON.stringify(m.body))), changeVisibility: async () => {} } }, event);
    }
    const poisonBodies = ['{not json', JSON.stringify({ tenantId, endpointId: endpoint.id }), JSON.stringify({ hello: 'world' })];
    const responsesBefore = harness.deliveryResponses.length;
    const dlqBefore = harness.deadLetterQueues['webhook-delivery'].depth;

    // Act
    const ids = [...held.slice(0, 3), poisonBodies[0]!, ...held.slice(3, 5), poisonBodies[1]!, ...held.slice(5), poisonBodies[2]!].map((body) => queue.sendRaw(body));
    const poisonIds = [ids[3], ids[6], ids[9]];
    await harness.waitUntil(async () => harness.deadLetterQueues['webhook-delivery'].depth >= dlqBefore + 3);
    await harness.waitUntil(async () => events.every((event) => target.acknowledgements().get(event.id) === 1));

    // Assess
    const first = harness.deliveryResponses[responsesBefore]!;
    expect(first.messageIds).toEqual(ids);
    expect(first.response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([...poisonIds].sort());
    expect(harness.deadLetterQueues['webhook-delivery'].peekBodies().slice(-3).sort()).toEqual([...poisonBodies].sort());
    for (const event of events) expect((await deliveryOf(event.id))!.status).toBe('succeeded');
  });

  it('the same domain event delivered twice by the bus creates and sends the delivery once', async () => {
    const { target, waitForDelivery, tenantId, endpoint } = await setup();
    const event = syncCompleted(tenantId);

    await harness.publish(event);
    await harness.publish(structuredClone(event));
    const delivery = await waitForDelivery(event.id);
    // Both copies were fanned out (their messages are gone) and no delivery message is left behind.
    await nothingPendingFor(event.id, delivery.id);

    expect(arrivalsOf(target, event.id)).toHaveLength(1);
    expect((await harness.deliveriesOf(tenantId, endpoint.id)).filter((d) => d.eventId === event.id)).toHaveLength(1);
  });

  it('SSRF at send time: a name that resolved to loopback at registration and resolves to a private address now is refused without connecting', async () => {
    const { target, waitForDelivery, tenantId } = await setup({
      url: (t) => {
        webhookOverrides.resolver = async () => [{ address: '127.0.0.1', family: 4 }];
        return `http://rebind.test:${t.port}/webhook`;
      },
    });
    webhookOverrides.resolver = async () => [{ address: '10.0.0.7', family: 4 }];
    const event = syncCompleted(tenantId);

    await harness.publish(event);
    const delivery = await waitForDelivery(event.id, (d) => d.attemptCount >= 2);

    expect(delivery.attempts.map((a) => a.errorClass)).toEqual(['ssrf_blocked', 'ssrf_blocked']);
    expect(target.deliveries).toEqual([]);

    webhookOverrides.resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    await waitForDelivery(event.id, (d) => d.status === 'succeeded');
    expect(arrivalsOf(target, event.id)).toHaveLength(1);
  });

  it('SSRF at send time: stored URLs to the metadata address, private ranges and ULA are refused on every attempt', async () => {
    const { tenantId, endpoint, waitForDelivery } = await setup();
    const store = webhookEndpointStore();
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'https://10.0.0.1/hook', 'https://[fd00::1]/hook', 'https://192.168.1.1/']) {
      const current = (await store.get(tenantId, endpoint.id))!;
      await store.update(tenantId, endpoint.id, current.version, { url });
      const event = syncCompleted(tenantId);

      await harness.publish(event);
      const delivery = await waitForDelivery(event.id, (d) => d.attemptCount >= 1);

      expect(delivery.attempts[0], url).toMatchObject({ statusCode: null, errorClass: 'ssrf_blocked' });
    }
  });
});
