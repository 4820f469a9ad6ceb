import { describe, expect, it } from 'vitest';
import { domainEvent } from '../../../shared/domain/domain-events.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import type { WebhookRequest, WebhookResponse } from '../../../shared/ports/webhook-sender.ts';
import { newDelivery } from '../../../shared/use-cases/webhooks/fan-out-event.ts';
import { processDelivery, type DeliveryOutcome, type DeliveryWorkerDeps } from '../../../shared/use-cases/webhooks/process-delivery.ts';
import { webhookPayload } from '../../../shared/domain/webhook-routing.ts';
import { signWebhook } from '../../../shared/domain/webhook-signature.ts';
import { deliveryMessageOf, type DeliveryMessage } from '../../../shared/domain/webhook-delivery.ts';
import { CollectingPublisher, InMemoryDeliveries, InMemoryEndpoints, ManualClock, RecordingQueue, ScriptedSender, testEndpoint } from './support.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SCHEDULE_MS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000].map((s) => s * 1000);
const HOUR = 3_600_000;

async function setup(options: { failingSince?: string | null; random?: () => number } = {}) {
  const clock = new ManualClock();
  const endpoints = new InMemoryEndpoints();
  const endpoint = testEndpoint({ failingSince: options.failingSince ?? null });
  await endpoints.create(endpoint, SECRET);
  const deliveries = new InMemoryDeliveries();
  const event = domainEvent('webhook.test', endpoint.tenantId, { endpointId: endpoint.id, message: 'hello' }, { time: clock.now() });
  const delivery = newDelivery(event, endpoint, webhookPayload(event), clock.now().toISOString());
  await deliveries.create(delivery);
  const sender = new ScriptedSender();
  const publisher = new CollectingPublisher();
  const deadLetters = new RecordingQueue<DeliveryMessage>();
  const deps: DeliveryWorkerDeps = {
    deliveries,
    endpoints,
    sender,
    publisher,
    deadLetters,
    clock,
    log: silentLog,
    settings: { retryScheduleMs: SCHEDULE_MS, timeoutMs: 15_000, disableAfterMs: 120 * HOUR },
    random: options.random ?? (() => 0.5),
  };
  const message = deliveryMessageOf(delivery);
  const current = async () => (await deliveries.get(delivery.tenantId, delivery.endpointId, delivery.id))!;
  /** Plays the queue: processes the message, waits out each retry on the clock, until it is acknowledged. */
  const drive = async (maxSteps = 20): Promise<{ outcomes: DeliveryOutcome[]; sentAt: number[] }> => {
    const outcomes: DeliveryOutcome[] = [];
    const sentAt: number[] = [];
    for (let step = 0; step < maxSteps; step++) {
      const before = sender.requests.length;
      const outcome = await processDelivery(deps, message);
      if (sender.requests.length > before) sentAt.push(clock.current);
      outcomes.push(outcome);
      if (outcome.kind === 'done') return { outcomes, sentAt };
      clock.advance(outcome.delayMs);
    }
    throw new Error('the delivery did not finish');
  };
  return { clock, endpoints, endpoint, deliveries, delivery, event, sender, publisher, deadLetters, deps, message, current, drive };
}

describe('processing a webhook delivery message', () => {
  it('against a receiver that always fails: exactly 8 attempts on the schedule, then failed, announced and dead-lettered', async () => {
    // Prepare
    const t = await setup();
    t.sender.fallback = { statusCode: 500, responseBody: 'boom' };

    // Act
    const { sentAt } = await t.drive();

    // Assess
    expect(t.sender.requests).toHaveLength(8);
    expect(sentAt.slice(1).map((at, i) => at - sentAt[i]!)).toEqual(SCHEDULE_MS);
    const delivery = await t.current();
    expect(delivery).toMatchObject({ status: 'failed', failure: 'exhausted', attemptCount: 8, roundAttempts: 8, lastStatusCode: 500, lastErrorClass: 'http_5xx', finalizedRound: 1 });
    expect(delivery.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 500, responseBody: 'boom', errorClass: 'http_5xx', nextAttemptAt: new Date(sentAt[0]! + 5_000).toISOString() });
    expect(delivery.attempts[7]!.nextAttemptAt).toBeNull();
    expect(t.publisher.events.map((e) => e.type)).toEqual(['webhook.delivery.exhausted']);
    expect(t.publisher.events[0]!.data).toEqual({
      endpointId: t.endpoint.id,
      deliveryId: t.delivery.id,
      messageId: t.event.id,
      eventType: 'webhook.test',
      eventId: t.event.id,
      attempts: 8,
      lastStatusCode: 500,
      lastError: 'http_5xx',
    });
    expect(t.deadLetters.sent.map((m) => m.body)).toEqual([t.message]);
  });

  it('signs every attempt with the same webhook-id and body, and a fresh timestamp', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 503 }, { statusCode: 502 });

    await t.drive();

    expect(t.sender.requests).toHaveLength(3);
    for (const request of t.sender.requests) {
      expect(request.headers['webhook-id']).toBe(t.event.id);
      expect(request.body).toBe(webhookPayload(t.event));
      expect(request.headers['webhook-signature']).toBe(signWebhook(SECRET, t.event.id, Number(request.headers['webhook-timestamp']), request.body));
      expect(request.url).toBe(t.endpoint.url);
      expect(request.timeoutMs).toBe(15_000);
    }
    const stamps = t.sender.requests.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps[1]! - stamps[0]!).toBe(5);
    expect(stamps[2]! - stamps[1]!).toBe(300);
  });

  it('a receiver down for "2 hours" gets attempts at 0, 5 s, 5 min, 30 min, then the one after 2 h succeeds; the streak is cleared', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 500 }, { statusCode: null }, { statusCode: 500 }, { statusCode: 500 });

    const { sentAt } = await t.drive();

    expect(sentAt.map((at) => (at - sentAt[0]!) / 1000)).toEqual([0, 5, 305, 2105, 9305]);
    expect(await t.current()).toMatchObject({ status: 'succeeded', attemptCount: 5, lastStatusCode: 200, lastErrorClass: null, nextAttemptAt: null });
    expect((await t.endpoints.get(t.endpoint.tenantId, t.endpoint.id))!.failingSince).toBeNull();
    expect(t.publisher.events).toEqual([]);
    expect(t.deadLetters.sent).toEqual([]);
  });

  it('jitters each wait within ±10 %', async () => {
    const low = await setup({ random: () => 0 });
    low.sender.answer({ statusCode: 500 });
    const high = await setup({ random: () => 0.999999 });
    high.sender.answer({ statusCode: 500 });

    const lowRun = await low.drive();
    const highRun = await high.drive();

    expect(lowRun.outcomes[0]).toEqual({ kind: 'retry', delayMs: 4_500 });
    expect(highRun.outcomes[0]).toEqual({ kind: 'retry', delayMs: 5_500 });
  });

  it('410 Gone disables the endpoint at once and announces it; the delivery ends without dead-lettering', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 410 });

    await t.drive();

    expect(t.sender.requests).toHaveLength(1);
    expect(await t.current()).toMatchObject({ status: 'failed', failure: 'gone', lastStatusCode: 410 });
    expect(await t.endpoints.get(t.endpoint.tenantId, t.endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(t.publisher.events.map((e) => [e.type, e.data])).toEqual([['webhook.endpoint.disabled', { endpointId: t.endpoint.id, url: t.endpoint.url, reason: 'gone' }]]);
    expect(t.deadLetters.sent).toEqual([]);
  });

  it.each([429, 503])('%i with Retry-After waits at least that long; the same header on a 500 is ignored', async (status) => {
    const t = await setup();
    t.sender.answer({ statusCode: status, retryAfter: '120' }, { statusCode: 500, retryAfter: '120' });

    const { outcomes } = await t.drive();

    expect(outcomes[0]).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(outcomes[1]).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect((await t.current()).attempts[0]!.retryAfterMs).toBe(120_000);
  });

  it('a Retry-After shorter than the schedule does not shorten it', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 429, retryAfter: '1' });

    const { outcomes } = await t.drive();

    expect(outcomes[0]).toEqual({ kind: 'retry', delayMs: 5_000 });
  });

  it('disables an endpoint whose attempts all failed for 5 days, and announces it', async () => {
    const t = await setup();
    t.sender.fallback = { statusCode: 500 };

    // Act: the first failure starts the streak; five days later the next failure ends it.
    const first = await processDelivery(t.deps, t.message);
    const streakStart = (await t.endpoints.get(t.endpoint.tenantId, t.endpoint.id))!.failingSince;
    t.clock.advance(120 * HOUR);
    const second = await processDelivery(t.deps, t.message);

    // Assess
    expect(first.kind).toBe('retry');
    expect(streakStart).toBe(new Date(t.clock.current - 120 * HOUR).toISOString());
    expect(second).toEqual({ kind: 'done', reason: 'failing' });
    expect(await t.endpoints.get(t.endpoint.tenantId, t.endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'failing' });
    expect(await t.current()).toMatchObject({ status: 'failed', failure: 'failing' });
    expect(t.publisher.events.map((e) => e.type)).toEqual(['webhook.endpoint.disabled']);
    expect(t.deadLetters.sent).toEqual([]);
  });

  it('does not disable before the 5 days are up, and a success in between restarts the count', async () => {
    const t = await setup({ failingSince: new Date(Date.parse('2026-11-23T12:00:00.000Z') - 119 * HOUR).toISOString() });
    t.sender.answer({ statusCode: 500 }, { statusCode: 200 });

    await t.drive();

    expect(await t.endpoints.get(t.endpoint.tenantId, t.endpoint.id)).toMatchObject({ enabled: true, failingSince: null });
    expect(t.publisher.events).toEqual([]);
  });

  it('a worker that dies after sending and before recording: the next receive attempts again with the same webhook-id, counted once', async () => {
    const t = await setup();
    const real = t.sender;
    let crashed = false;
    t.deps.sender = {
      async send(request: WebhookRequest): Promise<WebhookResponse> {
        const response = await real.send(request);
        if (!crashed) {
          crashed = true;
          throw new Error('worker process died');
        }
        return response;
      },
    };

    await expect(processDelivery(t.deps, t.message)).rejects.toThrow('died');
    const afterCrash = await t.current();
    const retried = await processDelivery(t.deps, t.message);

    expect(afterCrash).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect(retried).toEqual({ kind: 'done', reason: 'delivered' });
    expect(real.requests.map((r) => r.headers['webhook-id'])).toEqual([t.event.id, t.event.id]);
    expect((await t.current()).attempts.map((a) => a.attempt)).toEqual([1]);
  });

  it('stands down when another copy of the message recorded the attempt first', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 500 });
    t.deliveries.conflictNextUpdate = true;

    const outcome = await processDelivery(t.deps, t.message);

    expect(outcome.kind).toBe('done');
    expect(await t.current()).toMatchObject({ attemptCount: 0, status: 'pending' });
  });

  it('waits instead of attempting when the message comes up before the next attempt is due', async () => {
    const t = await setup();
    t.sender.answer({ statusCode: 500 });
    await processDelivery(t.deps, t.message);
    t.clock.advance(1_000);

    const early = await processDelivery(t.deps, t.message);

    expect(early).toEqual({ kind: 'retry', delayMs: 4_000 });
    expect(t.sender.requests).toHaveLength(1);
  });

  it('ignores a message of an older round and one for a delivery that is gone', async () => {
    const t = await setup();
    await t.deliveries.update(t.delivery.tenantId, t.delivery.endpointId, t.delivery.id, 1, { round: 2 });

    const stale = await processDelivery(t.deps, t.message);
    const unknown = await processDelivery(t.deps, { ...t.message, deliveryId: 'dlv_NOPE', round: 1 });

    expect(stale.kind).toBe('done');
    expect(unknown.kind).toBe('done');
    expect(t.sender.requests).toEqual([]);
  });

  it('ends a delivery unsent when its endpoint is disabled or deleted (kept for recovery, no announcement)', async () => {
    const disabled = await setup();
    await disabled.endpoints.update(disabled.endpoint.tenantId, disabled.endpoint.id, 1, { enabled: false, disabledReason: 'manual' });
    const deleted = await setup();
    await deleted.endpoints.delete(deleted.endpoint.tenantId, deleted.endpoint.id);

    await disabled.drive();
    await deleted.drive();

    expect(await disabled.current()).toMatchObject({ status: 'failed', failure: 'endpoint_disabled', attemptCount: 0 });
    expect(await deleted.current()).toMatchObject({ status: 'failed', failure: 'endpoint_deleted', attemptCount: 0 });
    expect([...disabled.sender.requests, ...deleted.sender.requests]).toEqual([]);
    expect([...disabled.publisher.events, ...deleted.publisher.events]).toEqual([]);
  });

  it('finishes an interrupted exhaustion when the message comes up again, once', async () => {
    const t = await setup();
    await t.deliveries.update(t.delivery.tenantId, t.delivery.endpointId, t.delivery.id, 1, { status: 'failed', failure: 'exhausted', roundAttempts: 8, attemptCount: 8 });

    await processDelivery(t.deps, t.message);
    await processDelivery(t.deps, t.message);

    expect(t.publisher.events.map((e) => e.type)).toEqual(['webhook.delivery.exhausted']);
    expect(t.deadLetters.sent).toHaveLength(1);
  });

  it('sends one signature per valid secret during a rotation overlap, and one after it', async () => {
    const t = await setup();
    const next = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    await t.endpoints.rotateSecret(t.endpoint.tenantId, t.endpoint.id, next, t.clock.now(), new Date(t.clock.current + 24 * HOUR));
    t.sender.answer({ statusCode: 500 });

    await processDelivery(t.deps, t.message);
    t.clock.advance(25 * HOUR);
    await processDelivery(t.deps, t.message);

    const [during, after] = t.sender.requests;
    const sign = (secret: string, request: WebhookRequest) => signWebhook(secret, request.headers['webhook-id']!, Number(request.headers['webhook-timestamp']), request.body);
    expect(during!.headers['webhook-signature']).toBe(`${sign(next, during!)} ${sign(SECRET, during!)}`);
    expect(after!.headers['webhook-signature']).toBe(sign(next, after!));
  });
});
