import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { echoValidation, eventually, startReceiver, startTestSimulator, type Receiver, type TestSimulator } from './support.ts';

const MINUTE = 60_000;

describe('subscriptions and change notifications', () => {
  let t: TestSimulator;
  let receiver: Receiver;
  let lifecycle: Receiver;
  let clock = Date.parse('2025-05-01T08:00:00Z');
  let calendarId: string;

  beforeAll(async () => {
    t = await startTestSimulator({
      now: () => new Date(clock), validationTimeoutMs: 500, notificationTimeoutMs: 1_000,
      notificationRetryDelaysMs: [50, 50], maxSubscriptionsPerMailbox: 5, deliverNotifications: 'manual',
    });
    calendarId = t.sim.user(t.userMail).defaultCalendarId;
    receiver = await startReceiver();
    lifecycle = await startReceiver();
  });

  afterEach(async () => {
    receiver.respond(echoValidation);
    lifecycle.respond(echoValidation);
    t.sim.setNotificationDelivery('manual');
    await t.sim.flush();
    for (const s of t.sim.subscriptions()) await t.call(`/v1.0/subscriptions/${s.id}`, { method: 'DELETE' });
    receiver.requests.length = 0;
    lifecycle.requests.length = 0;
    t.sim.clearDeliveryLog();
  });

  afterAll(async () => {
    await t.sim.stop();
    await receiver.close();
    await lifecycle.close();
  });

  const subscribe = (overrides: Record<string, unknown> = {}) => t.call('/v1.0/subscriptions', {
    method: 'POST',
    body: {
      changeType: 'created,updated,deleted',
      notificationUrl: receiver.url,
      lifecycleNotificationUrl: lifecycle.url,
      resource: `me/calendars/${calendarId}/events`,
      expirationDateTime: new Date(clock + 4_000 * MINUTE).toISOString(),
      clientState: 'secret-123',
      ...overrides,
    },
  });

  const event = (subject: string) => ({ subject, start: { dateTime: '2025-05-02T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2025-05-02T11:00:00', timeZone: 'UTC' } });

  it('validates the notification and lifecycle URLs before answering 201', async () => {
    const response = await subscribe();

    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ resource: `me/calendars/${calendarId}/events`, changeType: 'created,updated,deleted', clientState: 'secret-123', notificationUrl: receiver.url, lifecycleNotificationUrl: lifecycle.url });
    const validation = receiver.requests[0]!;
    expect(validation.url).toMatch(/\?validationToken=Validation%3A\+Testing\+client/);
    expect(validation.headers['content-type']).toMatch(/^text\/plain/);
    expect(lifecycle.requests[0]!.url).toContain('validationToken=');
    expect(t.sim.deliveryLog().filter((e) => e.kind === 'validation').map((e) => e.outcome)).toEqual(['delivered', 'delivered']);
    const get = await t.call(`/v1.0/subscriptions/${response.json.id}`);
    expect(get.json.id).toBe(response.json.id);
  });

  it.each([
    ['a body that is not the decoded token', (token: string, res: ServerResponse) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(encodeURIComponent(token)); }],
    ['a JSON content type', (token: string, res: ServerResponse) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(token); }],
    ['202 instead of 200', (token: string, res: ServerResponse) => { res.writeHead(202, { 'Content-Type': 'text/plain' }); res.end(token); }],
    ['an answer after the deadline', (token: string, res: ServerResponse) => { setTimeout(() => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(token); }, 800); }],
  ])('refuses the subscription (400 ValidationError) for %s', async (_name, answer) => {
    receiver.respond((req, res) => answer(new URL(req.url, 'http://x').searchParams.get('validationToken') ?? '', res));

    const response = await subscribe();

    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('ValidationError');
    expect(t.sim.subscriptions()).toHaveLength(0);
  });

  it('validates the lifecycle URL the same way', async () => {
    lifecycle.respond((_req, res) => { res.writeHead(500); res.end(); });

    const response = await subscribe();

    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('ValidationError');
  });

  it('enforces the 4,230-minute lifetime, clientState length and the per-mailbox maximum', async () => {
    const tooLong = await subscribe({ expirationDateTime: new Date(clock + 4_231 * MINUTE).toISOString() });
    const past = await subscribe({ expirationDateTime: new Date(clock - MINUTE).toISOString() });
    const bigState = await subscribe({ clientState: 'x'.repeat(129) });
    const atCap = await subscribe({ expirationDateTime: new Date(clock + 4_230 * MINUTE).toISOString() });
    for (let i = 0; i < 4; i++) expect((await subscribe()).status).toBe(201);
    const overMax = await subscribe();

    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.message).toContain('4230 minutes');
    expect(past.status).toBe(400);
    expect(bigState.status).toBe(400);
    expect(atCap.status).toBe(201);
    expect(overMax.status).toBe(403);
  });

  it('renews with PATCH (same cap) and deletes with 204', async () => {
    const { json: created } = await subscribe();

    const renewed = await t.call(`/v1.0/subscriptions/${created.id}`, { method: 'PATCH', body: { expirationDateTime: new Date(clock + 4_200 * MINUTE + 30_000).toISOString() } });
    const tooFar = await t.call(`/v1.0/subscriptions/${created.id}`, { method: 'PATCH', body: { expirationDateTime: new Date(clock + 5_000 * MINUTE).toISOString() } });
    const deleted = await t.call(`/v1.0/subscriptions/${created.id}`, { method: 'DELETE' });
    const gone = await t.call(`/v1.0/subscriptions/${created.id}`);

    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.json.expirationDateTime)).toBe(clock + 4_200 * MINUTE + 30_000);
    expect(tooFar.status).toBe(400);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('batches notifications of changes made together into one POST with the documented shape', async () => {
    const { json: subscription } = await subscribe();
    receiver.requests.length = 0;
    const created = await t.call(`/v1.0/me/calendars/${calendarId}/events`, { method: 'POST', body: event('one') });
    t.sim.updateEvent(created.json.id, { subject: 'one (renamed)' });
    const other = t.sim.addCalendar(t.userMail, { name: 'not subscribed' });
    t.sim.createEvent(other.id, event('elsewhere'));

    const deliveries = await t.sim.flush();

    expect(deliveries).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]!.body);
    expect(body.value.map((n: { changeType: string }) => n.changeType)).toEqual(['created', 'updated']);
    const user = t.sim.user(t.userMail);
    expect(body.value[1]).toEqual({
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      changeType: 'updated',
      resource: `Users/${user.id}/Events/${created.json.id}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Event',
        '@odata.id': `Users/${user.id}/Events/${created.json.id}`,
        '@odata.etag': t.sim.getEvent(created.json.id)!['@odata.etag'],
        id: created.json.id,
      },
      clientState: 'secret-123',
      tenantId: t.sim.tenantId,
    });
  });

  it('retries a non-2xx or slow answer with backoff (auto delivery) and logs status and latency', async () => {
    await subscribe();
    let calls = 0;
    receiver.respond((req, res) => {
      calls++;
      if (calls === 1) { res.writeHead(503); res.end(); return; }
      if (calls === 2) { setTimeout(() => { res.writeHead(202); res.end(); }, 1_600); return; }
      res.writeHead(202);
      res.end();
    });
    t.sim.clearDeliveryLog();
    t.sim.setNotificationDelivery('auto');

    t.sim.createEvent(calendarId, event('retried'));
    // Bounded generously: the retries take ~0.5 s, but the full suite can starve timers on 2 cores.
    await eventually(() => t.sim.deliveryLog().some((e) => e.kind === 'notification' && e.outcome === 'delivered'), 30_000);

    const log = t.sim.deliveryLog().filter((e) => e.kind === 'notification');
    expect(log.map((e) => [e.attempt, e.outcome, e.status])).toEqual([[1, 'failed', 503], [2, 'timeout', null], [3, 'delivered', 202]]);
    expect(log[1]!.latencyMs).toBeGreaterThanOrEqual(990);
  });

  it('gives up after the last retry', async () => {
    await subscribe();
    receiver.respond((_req, res) => { res.writeHead(500); res.end(); });
    t.sim.createEvent(calendarId, event('doomed'));

    for (let i = 0; i < 4; i++) await t.sim.flush();

    const log = t.sim.deliveryLog().filter((e) => e.kind === 'notification');
    expect(log.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(log[2]!.gaveUp).toBe(true);
    expect(t.sim.pendingNotifications()).toBe(0);
  });

  it('drops, duplicates and reorders the next notifications on request', async () => {
    await subscribe();
    receiver.requests.length = 0;
    const subjects = ['a', 'b', 'c', 'd', 'e'];

    t.sim.dropNextNotifications(1);
    t.sim.reorderNextNotifications(2);
    t.sim.duplicateNextNotifications(1);
    const ids = subjects.map((s) => t.sim.createEvent(calendarId, event(s)).id);
    await t.sim.flush();

    const received = receiver.requests.map((r) => JSON.parse(r.body).value.map((n: { resourceData: { id: string } }) => ids.indexOf(n.resourceData.id)));
    // a dropped; b and c sent one by one in reverse; d and e batched; d sent again.
    expect(received).toEqual([[2], [1], [3, 4], [3]]);
    expect(t.sim.deliveryLog().find((e) => e.outcome === 'dropped')?.subscriptionIds).toHaveLength(1);
  });

  it('sends lifecycle notifications to the lifecycle URL; subscriptionRemoved removes the subscription', async () => {
    const { json: subscription } = await subscribe();
    lifecycle.requests.length = 0;

    t.sim.emitLifecycle(subscription.id, 'reauthorizationRequired');
    t.sim.emitLifecycle(subscription.id, 'missed');
    t.sim.emitLifecycle(subscription.id, 'subscriptionRemoved');
    await t.sim.flush();

    const body = JSON.parse(lifecycle.requests[0]!.body);
    expect(body.value.map((n: { lifecycleEvent: string }) => n.lifecycleEvent)).toEqual(['reauthorizationRequired', 'missed', 'subscriptionRemoved']);
    expect(body.value[0]).toEqual({
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      tenantId: t.sim.tenantId,
      clientState: 'secret-123',
      lifecycleEvent: 'reauthorizationRequired',
    });
    expect(t.sim.subscriptions()).toHaveLength(0);
  });

  it('an expired subscription is gone: no notifications, 404', async () => {
    const { json: subscription } = await subscribe({ expirationDateTime: new Date(clock + 10 * MINUTE).toISOString() });
    receiver.requests.length = 0;
    clock += 11 * MINUTE;

    t.sim.createEvent(calendarId, event('after expiry'));
    await t.sim.flush();
    const get = await t.call(`/v1.0/subscriptions/${subscription.id}`);

    expect(receiver.requests).toHaveLength(0);
    expect(get.status).toBe(404);
  });
});
