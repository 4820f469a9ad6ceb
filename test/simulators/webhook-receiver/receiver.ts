import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers a delivery. */
export type ReceiverBehaviour =
  | { kind: 'ok'; status?: number; body?: string }
  | { kind: 'fail'; status: number; body?: string }
  | { kind: 'gone' }
  | { kind: 'retry-after'; status: 429 | 503; retryAfter: string }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { kind: 'hang' };

export interface ReceivedDelivery {
  /** Epoch ms when the request arrived. */
  receivedAt: number;
  path: string;
  webhookId: string | null;
  webhookTimestamp: string | null;
  webhookSignature: string | null;
  contentType: string | null;
  userAgent: string | null;
  body: string;
  /** `type` of the JSON body, when it has one. */
  type: string | null;
  /** Null when the receiver holds no secret; else whether a Standard Webhooks verifier accepted it. */
  verified: boolean | null;
  verifyError: string | null;
  /** What the receiver answered (`hang` when it never did). */
  answered: number | 'hang';
}

export interface WebhookReceiverOptions {
  port?: number;
  host?: string;
  /** `whsec_…` secrets to verify with (any one accepting is enough, like a receiver mid-rotation). */
  secrets?: string[];
  /** Called for every delivery after it was answered (the CLI prints it). */
  onDelivery?: (delivery: ReceivedDelivery) => void;
}

export interface WebhookReceiver {
  /** The URL to register: `http://127.0.0.1:<port>/webhook`. */
  url: string;
  port: number;
  readonly deliveries: readonly ReceivedDelivery[];
  /** How every request is answered from now on (default `ok`). */
  setBehaviour(behaviour: ReceiverBehaviour): void;
  /** Answers the next `times` requests this way, then falls back to the default behaviour. */
  queueBehaviour(behaviour: ReceiverBehaviour, times?: number): void;
  /** Answers with `status` until `ms` from now (a receiver that is "down" for a while). */
  failFor(ms: number, status?: number): void;
  /** Answers the first `attempts` requests of every webhook-id with `status` (a receiver down for that many tries). */
  failAttemptsOfEachId(attempts: number, status?: number): void;
  setSecrets(secrets: string[]): void;
  /** How many times each webhook-id was answered with a 2xx. */
  acknowledgements(): Map<string, number>;
  waitFor(predicate: (deliveries: readonly ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  stop(): Promise<void>;
}

const CONTROL_PREFIX = '/_receiver';
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

function typeOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type : null;
  } catch {
    return null;
  }
}

/**
 * A webhook receiver for tests and for watching deliveries by hand: records every delivery, verifies its
 * signature with the npm `standardwebhooks` verifier when it holds the secret, and answers as told
 * (success, a failure status, 410, 429/503 with Retry-After, a redirect, or no answer at all). Control it
 * programmatically or over HTTP under `/_receiver/` (see README.md). Loopback only by default.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  let defaultBehaviour: ReceiverBehaviour = { kind: 'ok' };
  const queued: ReceiverBehaviour[] = [];
  let failUntil = 0;
  let failStatus = 500;
  let failFirstAttempts = 0;
  const attemptsById = new Map<string, number>();
  let verifiers = (options.secrets ?? []).map((secret) => new Webhook(secret));
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();

  const nextBehaviour = (webhookId: string | null): ReceiverBehaviour => {
    if (Date.now() < failUntil) return { kind: 'fail', status: failStatus };
    if (failFirstAttempts > 0 && webhookId) {
      const attempt = (attemptsById.get(webhookId) ?? 0) + 1;
      attemptsById.set(webhookId, attempt);
      if (attempt <= failFirstAttempts) return { kind: 'fail', status: failStatus };
    }
    return queued.shift() ?? defaultBehaviour;
  };

  const verify = (body: string, request: IncomingMessage): { verified: boolean | null; verifyError: string | null } => {
    if (verifiers.length === 0) return { verified: null, verifyError: null };
    const headers = {
      'webhook-id': header(request, 'webhook-id') ?? '',
      'webhook-timestamp': header(request, 'webhook-timestamp') ?? '',
      'webhook-signature': header(request, 'webhook-signature') ?? '',
    };
    let lastError = 'no secret';
    for (const verifier of verifiers) {
      try {
        verifier.verify(body, headers);
        return { verified: true, verifyError: null };
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    return { verified: false, verifyError: lastError };
  };

  const control = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    if (request.method === 'GET' && path === `${CONTROL_PREFIX}/health`) return json(response, 200, { status: 'ok' });
    if (request.method === 'GET' && path === `${CONTROL_PREFIX}/deliveries`) return json(response, 200, { items: deliveries });
    if (request.method === 'POST' && path === `${CONTROL_PREFIX}/reset`) {
      receiver.reset();
      return json(response, 200, { status: 'reset' });
    }
    if (request.method === 'POST' && path === `${CONTROL_PREFIX}/behaviour`) {
      let input: (ReceiverBehaviour & { times?: number; forMs?: number }) | null;
      try {
        input = JSON.parse((await readBody(request)).toString('utf8')) as ReceiverBehaviour & { times?: number; forMs?: number };
      } catch {
        return json(response, 400, { error: 'body must be JSON: {"kind": "ok" | "fail" | "gone" | "retry-after" | "redirect" | "hang", ...}' });
      }
      const kinds = ['ok', 'fail', 'gone', 'retry-after', 'redirect', 'hang'];
      if (!input || !kinds.includes(input.kind)) return json(response, 400, { error: `kind must be one of ${kinds.join(', ')}` });
      if (input.kind === 'fail' && input.forMs) receiver.failFor(input.forMs, input.status);
      else if (input.times) receiver.queueBehaviour(input, input.times);
      else receiver.setBehaviour(input);
      return json(response, 200, { status: 'set', behaviour: input });
    }
    return json(response, 404, { error: 'unknown control path' });
  };

  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    if (path.startsWith(CONTROL_PREFIX)) {
      void control(request, response, path).catch(() => json(response, 500, { error: 'control failed' }));
      return;
    }
    void readBody(request).then(
      (raw) => {
        const body = raw.toString('utf8');
        const behaviour = nextBehaviour(header(request, 'webhook-id'));
        const delivery: ReceivedDelivery = {
          receivedAt: Date.now(),
          path,
          webhookId: header(request, 'webhook-id'),
          webhookTimestamp: header(request, 'webhook-timestamp'),
          webhookSignature: header(request, 'webhook-signature'),
          contentType: header(request, 'content-type'),
          userAgent: header(request, 'user-agent'),
          body,
          type: typeOf(body),
          ...verify(body, request),
          answered: 'hang',
        };
        deliveries.push(delivery);
        answer(response, behaviour, delivery);
        options.onDelivery?.(delivery);
        for (const wake of waiters) wake();
      },
      () => json(response, 413, { error: 'body too large' }),
    );
  });

  const answer = (response: ServerResponse, behaviour: ReceiverBehaviour, delivery: ReceivedDelivery): void => {
    switch (behaviour.kind) {
      case 'ok':
        delivery.answered = behaviour.status ?? 200;
        response.writeHead(delivery.answered, { 'content-type': 'text/plain' });
        response.end(behaviour.body ?? 'ok');
        return;
      case 'fail':
        delivery.answered = behaviour.status;
        response.writeHead(behaviour.status, { 'content-type': 'text/plain' });
        response.end(behaviour.body ?? `failing on purpose (${behaviour.status})`);
        return;
      case 'gone':
        delivery.answered = 410;
        response.writeHead(410, { 'content-type': 'text/plain' });
        response.end('gone');
        return;
      case 'retry-after':
        delivery.answered = behaviour.status;
        response.writeHead(behaviour.status, { 'content-type': 'text/plain', 'retry-after': behaviour.retryAfter });
        response.end('slow down');
        return;
      case 'redirect':
        delivery.answered = behaviour.status ?? 302;
        response.writeHead(delivery.answered, { location: behaviour.location });
        response.end();
        return;
      case 'hang':
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
        return;
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';

  const receiver: WebhookReceiver = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/webhook`,
    port,
    deliveries,
    setBehaviour(behaviour) {
      defaultBehaviour = behaviour;
      queued.length = 0;
      failUntil = 0;
      failFirstAttempts = 0;
      attemptsById.clear();
    },
    queueBehaviour(behaviour, times = 1) {
      for (let i = 0; i < times; i++) queued.push(behaviour);
    },
    failFor(ms, status = 500) {
      failUntil = Date.now() + ms;
      failStatus = status;
    },
    failAttemptsOfEachId(attempts, status = 500) {
      failFirstAttempts = attempts;
      failStatus = status;
      attemptsById.clear();
    },
    setSecrets(secrets) {
      verifiers = secrets.map((secret) => new Webhook(secret));
    },
    acknowledgements() {
      const counts = new Map<string, number>();
      for (const delivery of deliveries) {
        if (typeof delivery.answered === 'number' && delivery.answered >= 200 && delivery.answered < 300 && delivery.webhookId) {
          counts.set(delivery.webhookId, (counts.get(delivery.webhookId) ?? 0) + 1);
        }
      }
      return counts;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(deliveries)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms (${deliveries.length} deliveries so far)`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 50));
          waiters.add(wake);
        });
      }
    },
    reset() {
      deliveries.length = 0;
      queued.length = 0;
      defaultBehaviour = { kind: 'ok' };
      failUntil = 0;
      failFirstAttempts = 0;
      attemptsById.clear();
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
