import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/** The stack reads these when it starts (compressed schedule and timeout, http to loopback allowed). */
const ENV = { ALLOW_INSECURE_WEBHOOK_URLS: '1', WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.6,0.8,0.3,0.3,0.3', WEBHOOK_TIMEOUT_MS: '1000' };

let stack: TestStack;
let receiver: WebhookReceiver;
let otherToken: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  stack = await startTestStack();
  receiver = await startWebhookReceiver();
  otherToken = await stack.tokenFor('other-tenant');
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  secret?: string;
}
interface Delivery {
  id: string;
  messageId: string;
  eventType: string;
  status: string;
  round: number;
  attemptCount: number;
  attempts: { attempt: number; statusCode: number | null; errorClass: string | null }[];
}
interface Problem {
  status: number;
  errors: { field: string; message: string }[];
}

const post = (path: string, body?: unknown, token?: string) => stack.api(path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(token ? { token } : {}) });
const patch = (path: string, body: unknown, token?: string) => stack.api(path, { method: 'PATCH', body: JSON.stringify(body), ...(token ? { token } : {}) });

async function register(url = receiver.url, eventTypes = ['*']): Promise<Endpoint & { secret: string }> {
  return json(await post('/v1/webhook-endpoints', { url, eventTypes, description: 'e2e' }), 201);
}

async function deliveries(endpointId: string, query = ''): Promise<Delivery[]> {
  return (await json<{ items: Delivery[] }>(await stack.api(`/v1/webhook-endpoints/${endpointId}/deliveries${query}`), 200)).items;
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function verifies(secret: string, delivery: ReceivedDelivery): boolean {
  try {
    new Webhook(secret).verify(delivery.body, { 'webhook-id': delivery.webhookId!, 'webhook-timestamp': delivery.webhookTimestamp!, 'webhook-signature': delivery.webhookSignature! });
    return true;
  } catch {
    return false;
  }
}

describe('webhooks through the local stack', () => {
  it('registers an endpoint against the local receiver, sends a test through the pipeline, and the signed delivery verifies', async () => {
    // Act
    const endpoint = await register();
    const fetched = await json<Endpoint>(await stack.api(`/v1/webhook-endpoints/${endpoint.id}`), 200);
    const { messageId } = await json<{ messageId: string }>(await post(`/v1/webhook-endpoints/${endpoint.id}/test`), 202);
    await receiver.waitFor((all) => all.some((d) => d.webhookId === messageId));

    // Assess
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(fetched).toMatchObject({ id: endpoint.id, url: receiver.url, enabled: true });
    expect(JSON.stringify(fetched)).not.toContain('whsec_');
    const arrival = receiver.deliveries.find((d) => d.webhookId === messageId)!;
    expect(verifies(endpoint.secret, arrival)).toBe(true);
    expect(JSON.parse(arrival.body)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
    const log = await waitFor(async () => (await deliveries(endpoint.id)).find((d) => d.messageId === messageId && d.status === 'succeeded'));
    expect(log).toMatchObject({ eventType: 'webhook.test', attemptCount: 1, attempts: [{ attempt: 1, statusCode: 200, errorClass: null }] });
  });

  it('receiver stopped: retries show in the delivery log; restarted on the same port: delivered with the same webhook-id', async () => {
    // Prepare
    const port = receiver.port;
    const endpoint = await register();
    await receiver.stop();

    // Act: a test message while nothing listens
    const { messageId } = await json<{ messageId: string }>(await post(`/v1/webhook-endpoints/${endpoint.id}/test`), 202);
    const failing = await waitFor(async () => (await deliveries(endpoint.id)).find((d) => d.messageId === messageId && d.attemptCount >= 3));
    receiver = await startWebhookReceiver({ port });
    const delivered = await waitFor(async () => (await deliveries(endpoint.id)).find((d) => d.messageId === messageId && d.status === 'succeeded'));

    // Assess
    expect(failing.status).toBe('pending');
    expect(failing.attempts.slice(0, 3).map((a) => a.errorClass)).toEqual(['connection_refused', 'connection_refused', 'connection_refused']);
    expect(delivered.attempts.at(-1)).toMatchObject({ statusCode: 200 });
    expect(receiver.deliveries.filter((d) => d.webhookId === messageId)).toHaveLength(1);
  });

  it('rotating the secret: during the overlap receivers holding the old or the new secret both verify', async () => {
    const endpoint = await register();
    const rotated = await json<{ secret: string; previousSecretValidUntil: string }>(await post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`), 200);

    const { messageId } = await json<{ messageId: string }>(await post(`/v1/webhook-endpoints/${endpoint.id}/test`), 202);
    await receiver.waitFor((all) => all.some((d) => d.webhookId === messageId));
    const arrival = receiver.deliveries.find((d) => d.webhookId === messageId)!;

    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(arrival.webhookSignature!.split(' ')).toHaveLength(2);
    expect(verifies(endpoint.secret, arrival)).toBe(true);
    expect(verifies(rotated.secret, arrival)).toBe(true);
  });

  it('redelivers one message with the same webhook-id, and recovers everything that failed since a time', async () => {
    // Prepare: a message that exhausts its attempts against a failing receiver
    const endpoint = await register();
    receiver.setBehaviour({ kind: 'fail', status: 500 });
    const since = new Date().toISOString();
    const { messageId } = await json<{ messageId: string }>(await post(`/v1/webhook-endpoints/${endpoint.id}/test`), 202);
    const failed = await waitFor(async () => (await deliveries(endpoint.id, '?status=failed')).find((d) => d.messageId === messageId));
    expect(failed).toMatchObject({ attemptCount: 8, round: 1 });
    receiver.setBehaviour({ kind: 'ok' });

    // Act: recover, then redeliver the (now delivered) message once more by hand
    const recovered = await json<{ recovered: number; more: boolean }>(await post(`/v1/webhook-endpoints/${endpoint.id}/recover`, { since }), 202);
    await waitFor(async () => (await deliveries(endpoint.id, '?status=succeeded')).find((d) => d.messageId === messageId));
    const retried = await json<Delivery>(await post(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${failed.id}/retry`), 202);
    const final = await waitFor(async () => (await deliveries(endpoint.id)).find((d) => d.messageId === messageId && d.round === 3 && d.status === 'succeeded'));

    // Assess
    expect(recovered).toEqual({ recovered: 1, more: false });
    expect(retried).toMatchObject({ round: 3, status: 'pending', messageId });
    expect(final.attemptCount).toBe(10);
    expect(receiver.acknowledgements().get(messageId)).toBe(2);
    expect(receiver.deliveries.filter((d) => d.webhookId === messageId)).toHaveLength(10);
  });

  it('disables and re-enables an endpoint; a disabled endpoint takes no test or redelivery (409)', async () => {
    const endpoint = await register();

    const disabled = await json<Endpoint>(await patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: false }), 200);
    const refused = await post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    const enabled = await json<Endpoint>(await patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: true, eventTypes: ['calendar.*'] }), 200);

    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'manual' });
    expect(refused.status).toBe(409);
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, eventTypes: ['calendar.*'] });
    await json(await stack.api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE' }), 204);
    expect((await stack.api(`/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(404);
  });

  it("another tenant's endpoints are 404 on every route and absent from its list", async () => {
    const endpoint = await register();
    const base = `/v1/webhook-endpoints/${endpoint.id}`;
    const deliveryId = 'dlv_01JB3Y6M2QH9N7S5V4T0W8X1ZA';

    const statuses = await Promise.all([
      stack.api(base, { token: otherToken }),
      patch(base, { description: 'mine now' }, otherToken),
      stack.api(base, { method: 'DELETE', token: otherToken }),
      post(`${base}/rotate-secret`, undefined, otherToken),
      post(`${base}/test`, undefined, otherToken),
      stack.api(`${base}/deliveries`, { token: otherToken }),
      post(`${base}/deliveries/${deliveryId}/retry`, undefined, otherToken),
      post(`${base}/recover`, { since: '2026-01-01T00:00:00Z' }, otherToken),
    ]).then((responses) => responses.map((r) => r.status));
    const theirs = await json<{ items: Endpoint[] }>(await stack.api('/v1/webhook-endpoints', { token: otherToken }), 200);

    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 404]);
    expect(theirs.items).toEqual([]);
    expect((await stack.api(base)).status).toBe(200);
  });

  it('bad input to every endpoints route answers 400 problem+json naming the field', async () => {
    const endpoint = await register();
    const base = `/v1/webhook-endpoints/${endpoint.id}`;
    const cases: [string, Promise<Response>, string][] = [
      ['create without url', post('/v1/webhook-endpoints', { eventTypes: ['*'] }), 'body.url'],
      ['create without event types', post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: [] }), 'body.eventTypes'],
      ['create with an unknown event type', post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['*', 'calendar.event.moved'] }), 'body.eventTypes[1]'],
      ['create with a malformed filter', post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['Calendar!'] }), 'body.eventTypes[0]'],
      ['create with the metadata address', post('/v1/webhook-endpoints', { url: 'http://169.254.169.254/latest', eventTypes: ['*'] }), 'body.url'],
      ['create with a private address', post('/v1/webhook-endpoints', { url: 'https://10.1.2.3/hook', eventTypes: ['*'] }), 'body.url'],
      ['create with IPv6 ULA', post('/v1/webhook-endpoints', { url: 'https://[fd00::1]/hook', eventTypes: ['*'] }), 'body.url'],
      ['create with plain http to a public host', post('/v1/webhook-endpoints', { url: 'http://93.184.216.34/hook', eventTypes: ['*'] }), 'body.url'],
      ['create with an unknown field', post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['*'], secret: 'mine' }), 'body.secret'],
      ['create with a long description', post('/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['*'], description: 'x'.repeat(501) }), 'body.description'],
      ['create with no JSON', stack.api('/v1/webhook-endpoints', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }), 'body'],
      ['list with limit 0', stack.api('/v1/webhook-endpoints?limit=0'), 'query.limit'],
      ['list with a forged cursor', stack.api('/v1/webhook-endpoints?cursor=eyJzayI6IkNPTk4jeCJ9'), 'query.cursor'],
      ['get with a bad id', stack.api('/v1/webhook-endpoints/not-an-id'), 'params.id'],
      ['patch with nothing', patch(base, {}), 'body'],
      ['patch with a string for enabled', patch(base, { enabled: 'yes' }), 'body.enabled'],
      ['patch with a private URL', patch(base, { url: 'https://192.168.0.1/' }), 'body.url'],
      ['patch with a bad id', patch('/v1/webhook-endpoints/x', { enabled: true }), 'params.id'],
      ['delete with a bad id', stack.api('/v1/webhook-endpoints/x', { method: 'DELETE' }), 'params.id'],
      ['rotate with a bad id', post('/v1/webhook-endpoints/x/rotate-secret'), 'params.id'],
      ['test with a bad id', post('/v1/webhook-endpoints/x/test'), 'params.id'],
      ['deliveries with an unknown status', stack.api(`${base}/deliveries?status=lost`), 'query.status'],
      ['deliveries with limit 1000', stack.api(`${base}/deliveries?limit=1000`), 'query.limit'],
      ['retry with a bad delivery id', post(`${base}/deliveries/x/retry`), 'params.deliveryId'],
      ['recover without since', post(`${base}/recover`, {}), 'body.since'],
      ['recover with a bad since', post(`${base}/recover`, { since: 'yesterday' }), 'body.since'],
    ];

    for (const [name, pending, field] of cases) {
      const response = await pending;
      expect(response.status, name).toBe(400);
      expect(response.headers.get('content-type'), name).toBe('application/problem+json');
      const problem = (await response.json()) as Problem;
      expect(problem.errors.map((e) => e.field), name).toContain(field);
    }
  });
});
