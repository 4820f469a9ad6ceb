import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resolver } from '../../../shared/net/outbound-url.ts';
import { NodeWebhookSender } from '../../../shared/net/webhook-sender.ts';
import { webhookUrlPolicy } from '../../../shared/net/webhook-url-policy.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../simulators/webhook-receiver/receiver.ts';

const local = webhookUrlPolicy({ isLocal: true, allowInsecure: true });
const deployed = webhookUrlPolicy({ isLocal: false, allowInsecure: false });
const HEADERS = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x', 'content-type': 'application/json', 'user-agent': 'calendar-integrations-webhooks/1' };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  cleanups.push(() => started.stop());
  return started;
}

function sender(policy = local, resolver?: Resolver): NodeWebhookSender {
  const created = new NodeWebhookSender({ policy, ...(resolver ? { resolver } : {}) });
  cleanups.push(() => created.close());
  return created;
}

/** A bare TCP listener on loopback that counts connections (whether anything connected at all). */
async function connectionCounter(): Promise<{ port: number; connections: () => number }> {
  let count = 0;
  const server: Server = createTcpServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => count };
}

describe('sending one webhook attempt over node:http', () => {
  it('POSTs the body with the given headers and reports a 2xx as success', async () => {
    const target = await receiver();

    const response = await sender().send({ url: target.url, headers: HEADERS, body: '{"a":1}', timeoutMs: 2_000 });

    expect(response).toMatchObject({ statusCode: 200, errorClass: null, responseBody: 'ok' });
    expect(response.latencyMs).toBeGreaterThan(0);
    expect(target.deliveries[0]).toMatchObject({ body: '{"a":1}', webhookId: 'msg_1', contentType: 'application/json', userAgent: 'calendar-integrations-webhooks/1' });
  });

  it('keeps only the first 1 KB of a response body', async () => {
    const big = createHttpServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('é'.repeat(5_000));
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => big.close(() => resolve())));

    const response = await sender().send({ url: `http://127.0.0.1:${(big.address() as AddressInfo).port}/`, headers: HEADERS, body: '{}', timeoutMs: 2_000 });

    expect(response).toMatchObject({ statusCode: 500, errorClass: 'http_5xx' });
    expect(Buffer.byteLength(response.responseBody!, 'utf8')).toBeLessThanOrEqual(1_024 + 2);
    expect(response.responseBody!.startsWith('éé')).toBe(true);
  });

  it('does not follow a redirect, even to a public-looking or private place: 3xx is a failure', async () => {
    const target = await receiver();
    const elsewhere = await receiver();
    target.queueBehaviour({ kind: 'redirect', location: elsewhere.url, status: 307 }, 1);
    target.queueBehaviour({ kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/', status: 302 }, 1);

    const first = await sender().send({ url: target.url, headers: HEADERS, body: '{}', timeoutMs: 2_000 });
    const second = await sender().send({ url: target.url, headers: HEADERS, body: '{}', timeoutMs: 2_000 });

    expect([first.statusCode, first.errorClass, second.statusCode, second.errorClass]).toEqual([307, 'redirect', 302, 'redirect']);
    expect(elsewhere.deliveries).toEqual([]);
  });

  it('gives up on a hanging receiver after the timeout', async () => {
    const target = await receiver();
    target.setBehaviour({ kind: 'hang' });

    const started = Date.now();
    const response = await sender().send({ url: target.url, headers: HEADERS, body: '{}', timeoutMs: 300 });

    expect(response).toMatchObject({ statusCode: null, errorClass: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('classifies a refused connection, a name that does not resolve, and a 429 with its Retry-After', async () => {
    const closed = await connectionCounter();
    await cleanups.pop()!(); // resolves once the server has closed: its port now refuses connections
    const target = await receiver();
    target.setBehaviour({ kind: 'retry-after', status: 429, retryAfter: '120' });
    const noDns: Resolver = async () => Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));

    const refused = await sender().send({ url: `http://127.0.0.1:${closed.port}/`, headers: HEADERS, body: '{}', timeoutMs: 2_000 });
    const unknown = await sender(local, noDns).send({ url: 'http://nowhere.test/', headers: HEADERS, body: '{}', timeoutMs: 2_000 });
    const limited = await sender().send({ url: target.url, headers: HEADERS, body: '{}', timeoutMs: 2_000 });

    expect(refused.errorClass).toBe('connection_refused');
    expect(unknown.errorClass).toBe('dns');
    expect(limited).toMatchObject({ statusCode: 429, errorClass: 'http_4xx', retryAfter: '120' });
  });

  it.each([
    ['the metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['localhost', 'https://localhost/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv6 unique-local', 'https://[fd00::1]/'],
    ['a private range', 'https://10.0.0.1/'],
    ['a name resolving to a private address', 'https://private.example.com/'],
    ['plain http', 'http://hooks.example.com/'],
  ])('under the deployed policy refuses %s at send time, before any connection', async (_name, url) => {
    const resolver: Resolver = async (host) => [{ address: host === 'localhost' ? '127.0.0.1' : host === 'private.example.com' ? '192.168.4.4' : '93.184.216.34', family: 4 }];

    const response = await sender(deployed, resolver).send({ url, headers: HEADERS, body: '{}', timeoutMs: 2_000 });

    expect(response).toMatchObject({ statusCode: null, errorClass: 'ssrf_blocked' });
  });

  it('pins the connection to the checked address: a name that rebinds to loopback between check and connect never connects', async () => {
    // Prepare: public on the first lookup (the check), loopback on the second (the socket's lookup)
    const counter = await connectionCounter();
    let lookups = 0;
    const rebinding: Resolver = async () => [{ address: lookups++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const loopbackAllowed = { allowHttp: false, allowLoopback: true };

    // Act
    const blocked = await sender(deployed, rebinding).send({ url: `https://rebind.test:${counter.port}/`, headers: HEADERS, body: '{}', timeoutMs: 2_000 });
    const control = await sender(loopbackAllowed, async () => [{ address: '127.0.0.1', family: 4 }]).send({
      url: `https://rebind.test:${counter.port}/`,
      headers: HEADERS,
      body: '{}',
      timeoutMs: 2_000,
    });

    // Assess
    expect(lookups).toBe(2);
    expect(blocked).toMatchObject({ statusCode: null, errorClass: 'ssrf_blocked' });
    expect(control.statusCode).toBeNull();
    expect(counter.connections()).toBe(1); // the control's, never the rebinding one
  });
});
