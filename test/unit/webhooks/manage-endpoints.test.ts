import { describe, expect, it } from 'vitest';
import { domainEvent } from '../../../shared/domain/domain-events.ts';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Resolver } from '../../../shared/net/outbound-url.ts';
import { newDelivery } from '../../../shared/use-cases/webhooks/fan-out-event.ts';
import {
  createWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type EndpointAdminDeps,
} from '../../../shared/use-cases/webhooks/manage-endpoints.ts';
import { recoverDeliveries, retryDelivery } from '../../../shared/use-cases/webhooks/redeliver.ts';
import { sendTestMessage } from '../../../shared/use-cases/webhooks/send-test-message.ts';
import { MAX_ENDPOINTS_PER_TENANT } from '../../../shared/use-cases/webhooks/webhook-settings.ts';
import { webhookPayload } from '../../../shared/domain/webhook-routing.ts';
import { webhookUrlPolicy } from '../../../shared/net/webhook-url-policy.ts';
import type { DeliveryMessage } from '../../../shared/domain/webhook-delivery.ts';
import { CollectingPublisher, InMemoryDeliveries, InMemoryEndpoints, ManualClock, RecordingQueue, testEndpoint } from './support.ts';

const resolver: Resolver = async (host) => [{ address: host === 'private.example.com' ? '10.0.0.1' : '93.184.216.34', family: 4 }];

function admin(): EndpointAdminDeps & { endpoints: InMemoryEndpoints; clock: ManualClock } {
  return {
    endpoints: new InMemoryEndpoints(),
    clock: new ManualClock(),
    settings: { urlPolicy: webhookUrlPolicy({ isLocal: false, allowInsecure: false }), secretOverlapMs: 86_400_000 },
    resolver,
  };
}

async function fieldOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error, 'input.invalid')) return error.details?.field as string;
    throw error;
  }
  return undefined;
}

describe('managing webhook endpoints', () => {
  it('registers an endpoint with a whsec_ secret shown once, stores the secret, de-duplicates filters', async () => {
    const deps = admin();

    const created = await createWebhookEndpoint(deps, { tenantId: 't', url: 'https://hooks.example.com/in', eventTypes: ['calendar.*', 'calendar.*', 'webhook.test'] });

    expect(created).toMatchObject({ url: 'https://hooks.example.com/in', eventTypes: ['calendar.*', 'webhook.test'], enabled: true, disabledReason: null, description: null });
    expect(created.id).toMatch(/^whe_[0-9A-Z]{26}$/);
    expect(created.secret).toMatch(/^whsec_/);
    expect((await deps.endpoints.getWithSecrets('t', created.id, deps.clock.now()))!.secrets).toEqual([created.secret]);
    expect(JSON.stringify(await deps.endpoints.get('t', created.id))).not.toContain(created.secret);
  });

  it('names the offending field: an unknown event type, a private URL', async () => {
    const deps = admin();

    expect(await fieldOf(createWebhookEndpoint(deps, { tenantId: 't', url: 'https://hooks.example.com/', eventTypes: ['calendar.*', 'calendar.event.moved'] }))).toBe('body.eventTypes[1]');
    expect(await fieldOf(createWebhookEndpoint(deps, { tenantId: 't', url: 'https://private.example.com/', eventTypes: ['*'] }))).toBe('body.url');
    expect(await fieldOf(updateWebhookEndpoint(deps, 't', (await createWebhookEndpoint(deps, { tenantId: 't', url: 'https://a.example.com/', eventTypes: ['*'] })).id, { url: 'http://a.example.com/' }))).toBe(
      'body.url',
    );
  });

  it(`refuses more than ${MAX_ENDPOINTS_PER_TENANT} endpoints per tenant`, async () => {
    const deps = admin();
    for (let i = 0; i < MAX_ENDPOINTS_PER_TENANT; i++) await deps.endpoints.create(testEndpoint({ tenantId: 't', id: `whe_${String(i).padStart(26, '0')}` }), 'whsec_AA');

    await expect(createWebhookEndpoint(deps, { tenantId: 't', url: 'https://hooks.example.com/', eventTypes: ['*'] })).rejects.toMatchObject({ code: 'resource.conflict' });
  });

  it('re-enabling clears the disabled reason and the failing streak; disabling by hand says manual', async () => {
    const deps = admin();
    const endpoint = testEndpoint({ tenantId: 't', enabled: false, disabledReason: 'failing', failingSince: '2026-11-01T00:00:00.000Z' });
    await deps.endpoints.create(endpoint, 'whsec_AA');

    const enabled = await updateWebhookEndpoint(deps, 't', endpoint.id, { enabled: true });
    const disabled = await updateWebhookEndpoint(deps, 't', endpoint.id, { enabled: false, description: 'paused' });

    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'manual', description: 'paused' });
  });

  it('rotation keeps the previous secret valid for 24 h', async () => {
    const deps = admin();
    const created = await createWebhookEndpoint(deps, { tenantId: 't', url: 'https://hooks.example.com/', eventTypes: ['*'] });

    const rotated = await rotateWebhookSecret(deps, 't', created.id);

    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretValidUntil).toBe(new Date(deps.clock.current + 86_400_000).toISOString());
    expect((await deps.endpoints.getWithSecrets('t', created.id, deps.clock.now()))!.secrets).toEqual([rotated.secret, created.secret]);
    expect((await deps.endpoints.getWithSecrets('t', created.id, new Date(deps.clock.current + 86_400_001)))!.secrets).toEqual([rotated.secret]);
  });

  it('a test message is a webhook.test domain event for that endpoint; a disabled endpoint answers 409', async () => {
    const deps = admin();
    const publisher = new CollectingPublisher();
    const on = testEndpoint({ tenantId: 't' });
    const off = testEndpoint({ tenantId: 't', id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1ZB', enabled: false, disabledReason: 'manual' });
    await deps.endpoints.create(on, 'whsec_AA');
    await deps.endpoints.create(off, 'whsec_AA');

    const sent = await sendTestMessage({ ...deps, publisher }, 't', on.id);

    expect(publisher.events).toMatchObject([{ id: sent.messageId, type: 'webhook.test', tenantId: 't', data: { endpointId: on.id } }]);
    await expect(sendTestMessage({ ...deps, publisher }, 't', off.id)).rejects.toMatchObject({ code: 'resource.conflict' });
    await expect(sendTestMessage({ ...deps, publisher }, 'other', on.id)).rejects.toMatchObject({ code: 'resource.not_found' });
  });
});

describe('redelivering', () => {
  async function withDeliveries(statuses: ('pending' | 'succeeded' | 'failed')[]) {
    const deps = admin();
    const endpoint = testEndpoint({ tenantId: 't' });
    await deps.endpoints.create(endpoint, 'whsec_AA');
    const deliveries = new InMemoryDeliveries();
    const queue = new RecordingQueue<DeliveryMessage>();
    const created = [];
    for (const [i, status] of statuses.entries()) {
      const event = domainEvent('webhook.test', 't', { endpointId: endpoint.id, message: String(i) }, { time: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60_000) });
      const delivery = { ...newDelivery(event, endpoint, webhookPayload(event), event.time), status, queuedRound: 1, attemptCount: 8, roundAttempts: 8 };
      await deliveries.create(delivery);
      created.push(delivery);
    }
    return { deps: { ...deps, deliveries, deliveryQueue: queue }, endpoint, deliveries, queue, created };
  }

  it('a manual retry starts a new round (full schedule again), keeps the log, and queues a message for that round', async () => {
    const t = await withDeliveries(['failed']);
    const [delivery] = t.created;

    const view = await retryDelivery(t.deps, 't', t.endpoint.id, delivery!.id);

    expect(view).toMatchObject({ status: 'pending', round: 2, attemptCount: 8, messageId: delivery!.messageId });
    expect((await t.deliveries.get('t', t.endpoint.id, delivery!.id))!).toMatchObject({ roundAttempts: 0, queuedRound: 2 });
    expect(t.queue.sent.map((m) => m.body)).toEqual([{ tenantId: 't', endpointId: t.endpoint.id, deliveryId: delivery!.id, round: 2 }]);
  });

  it('recover re-queues the failed and the stuck pending deliveries created since the time, oldest first; not one waiting for its attempt', async () => {
    const t = await withDeliveries(['failed', 'failed', 'succeeded', 'failed', 'pending', 'failed', 'pending']);
    // created[4] was last touched days before the clock's now (its message is gone); created[6] waits for an attempt in 10 min.
    const waiting = t.created[6]!;
    await t.deliveries.update('t', t.endpoint.id, waiting.id, waiting.version, { nextAttemptAt: new Date(t.deps.clock.now().getTime() + 600_000).toISOString() });

    const result = await recoverDeliveries(t.deps, 't', t.endpoint.id, new Date(t.created[1]!.createdAt));

    expect(result).toEqual({ recovered: 4, more: false });
    expect(t.queue.sent.map((m) => m.body.deliveryId)).toEqual([t.created[1]!.id, t.created[3]!.id, t.created[4]!.id, t.created[5]!.id]);
    expect((await t.deliveries.get('t', t.endpoint.id, waiting.id))!.round).toBe(1);
    expect((await t.deliveries.get('t', t.endpoint.id, t.created[0]!.id))!.status).toBe('failed');
  });

  it('refuses to redeliver to a disabled endpoint (409) and hides other tenants (404)', async () => {
    const t = await withDeliveries(['failed']);
    await t.deps.endpoints.update('t', t.endpoint.id, 1, { enabled: false, disabledReason: 'gone' });

    await expect(retryDelivery(t.deps, 't', t.endpoint.id, t.created[0]!.id)).rejects.toMatchObject({ code: 'resource.conflict' });
    await expect(recoverDeliveries(t.deps, 'other', t.endpoint.id, new Date(0))).rejects.toMatchObject({ code: 'resource.not_found' });
  });
});
