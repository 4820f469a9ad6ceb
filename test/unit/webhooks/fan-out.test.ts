import { describe, expect, it } from 'vitest';
import { domainEvent } from '../../../shared/domain/domain-events.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { deliveryIdOf, fanOutEvent, type FanOutDeps } from '../../../shared/use-cases/webhooks/fan-out-event.ts';
import type { DeliveryMessage } from '../../../shared/domain/webhook-delivery.ts';
import { InMemoryDeliveries, InMemoryEndpoints, ManualClock, RecordingQueue, testEndpoint } from './support.ts';

async function setup() {
  const endpoints = new InMemoryEndpoints();
  const all = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1Z1', eventTypes: ['*'] });
  const calendarOnly = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1Z2', eventTypes: ['calendar.*'] });
  const connectionOnly = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1Z3', eventTypes: ['connection.created'] });
  const off = testEndpoint({ id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1Z4', enabled: false, disabledReason: 'manual' });
  const otherTenant = testEndpoint({ tenantId: 'tenant-b', id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1Z5' });
  for (const endpoint of [all, calendarOnly, connectionOnly, off, otherTenant]) await endpoints.create(endpoint, 'whsec_AAAA');
  const deliveries = new InMemoryDeliveries();
  const queue = new RecordingQueue<DeliveryMessage>();
  const deps: FanOutDeps = { endpoints, deliveries, deliveryQueue: queue, clock: new ManualClock(), log: silentLog };
  const event = domainEvent('calendar.sync.completed', 'tenant-a', {
    connectionId: 'c',
    calendarId: 'k',
    mode: 'incremental',
    resynced: false,
    created: 0,
    updated: 1,
    deleted: 0,
    unchanged: 9,
    pages: 1,
    durationMs: 12,
  });
  return { deps, deliveries, queue, event, all, calendarOnly };
}

describe('fanning a domain event out to webhook endpoints', () => {
  it('creates one delivery per matching enabled endpoint of the tenant and queues each once', async () => {
    const t = await setup();

    const result = await fanOutEvent(t.deps, t.event);

    expect(result).toEqual({ endpoints: 2, created: 2, queued: 2 });
    expect(t.queue.sent.map((m) => m.body.endpointId).sort()).toEqual([t.all.id, t.calendarOnly.id]);
    const delivery = [...t.deliveries.items.values()].find((d) => d.endpointId === t.all.id)!;
    expect(delivery).toMatchObject({ id: deliveryIdOf('tenant-a', t.all.id, t.event.id), messageId: t.event.id, status: 'pending', round: 1, queuedRound: 1 });
    expect(JSON.parse(delivery.payload)).toEqual({ type: 'calendar.sync.completed', timestamp: t.event.time, data: t.event.data });
  });

  it('the same domain event delivered twice creates and queues each delivery once', async () => {
    const t = await setup();

    await fanOutEvent(t.deps, t.event);
    const again = await fanOutEvent(t.deps, structuredClone(t.event));

    expect(again).toEqual({ endpoints: 2, created: 0, queued: 0 });
    expect(t.deliveries.items.size).toBe(2);
    expect(t.queue.sent).toHaveLength(2);
  });

  it('re-queues a delivery whose message was never sent (a fan-out that crashed after creating it)', async () => {
    const t = await setup();
    const failing = { ...t.queue, send: async () => Promise.reject(new Error('SQS down')) };

    await expect(fanOutEvent({ ...t.deps, deliveryQueue: { ...failing, changeVisibility: async () => {} } }, t.event)).rejects.toThrow('SQS down');
    const retried = await fanOutEvent(t.deps, t.event);

    expect(retried).toEqual({ endpoints: 2, created: 0, queued: 2 });
    expect(t.queue.sent).toHaveLength(2);
  });
});
