import { GraphError, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { toProviderError } from '../../../shared/providers/microsoft/graph-errors.ts';
import { BearerTokenMiddleware, IdempotentRequest, ThrottleRetryMiddleware } from '../../../shared/providers/microsoft/graph-middleware.ts';
import { MailboxSlots } from '../../../shared/providers/microsoft/mailbox-slots.ts';

/** The end of a chain: answers from a script and records what it was sent. */
class ScriptedServer implements Middleware {
  readonly seen: { url: string; authorization: string | undefined }[] = [];
  private readonly answers: (() => Response)[];
  constructor(answers: (() => Response)[]) {
    this.answers = answers;
  }
  async execute(context: Context): Promise<void> {
    const headers = (context.options?.headers ?? {}) as Record<string, string>;
    this.seen.push({ url: context.request as string, authorization: headers.Authorization });
    context.response = (this.answers.shift() ?? (() => new Response('{}', { status: 200 })))();
  }
}

const status = (code: number, headers: Record<string, string> = {}) => () => new Response(code === 204 ? null : '{}', { status: code, headers });
const context = (url: string, method = 'GET', control?: Context['middlewareControl']): Context => ({ request: url, options: { method, headers: {} }, ...(control ? { middlewareControl: control } : {}) });

/** What GraphRequest.middlewareOptions([new IdempotentRequest()]) hands the chain (the SDK keys options by class). */
const idempotent = () => ({ getMiddlewareOptions: (type: unknown) => (type === IdempotentRequest ? new IdempotentRequest() : undefined) }) as unknown as Context['middlewareControl'];

function retryChain(answers: (() => Response)[], maxDelayMs = 10_000) {
  const waits: number[] = [];
  const retry = new ThrottleRetryMiddleware({ maxRetries: 2, maxDelayMs, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) });
  const server = new ScriptedServer(answers);
  retry.setNext(server);
  return { retry, server, waits };
}

describe('ThrottleRetryMiddleware', () => {
  it('repeats a 429 after its Retry-After, at most twice, then hands the 429 back', async () => {
    const { retry, server, waits } = retryChain([status(429, { 'Retry-After': '2' }), status(429, { 'Retry-After': '1' }), status(429, { 'Retry-After': '1' }), status(200)]);
    const ctx = context('https://graph.example/v1.0/me/events', 'PATCH');
    await retry.execute(ctx);
    expect(ctx.response?.status).toBe(429);
    expect(server.seen).toHaveLength(3);
    expect(waits).toEqual([2_000, 1_000]);
  });

  it('does not sit out a Retry-After longer than its limit: the caller gets it (and the queue waits)', async () => {
    const { retry, server, waits } = retryChain([status(429, { 'Retry-After': '120' }), status(200)]);
    const ctx = context('https://graph.example/v1.0/me/events');
    await retry.execute(ctx);
    expect(ctx.response?.status).toBe(429);
    expect(server.seen).toHaveLength(1);
    expect(waits).toEqual([]);
    const error = toProviderError(Object.assign(new GraphError(429, 'throttled'), { headers: ctx.response!.headers }), 'read');
    expect(error).toMatchObject({ code: 'provider.rate_limited', retryAfterMs: 120_000, retryable: true });
  });

  it('repeats a 503 for reads and marked-idempotent creates, never for a PATCH', async () => {
    const read = retryChain([status(503), status(200)]);
    const readContext = context('https://graph.example/v1.0/me/events/1');
    await read.retry.execute(readContext);
    expect(readContext.response?.status).toBe(200);
    expect(read.waits).toHaveLength(1);

    const create = retryChain([status(503), status(201)]);
    const createContext = context('https://graph.example/v1.0/me/events', 'POST', idempotent());
    await create.retry.execute(createContext);
    expect(createContext.response?.status).toBe(201);

    const patch = retryChain([status(503), status(200)]);
    const patchContext = context('https://graph.example/v1.0/me/events/1', 'PATCH');
    await patch.retry.execute(patchContext);
    expect(patchContext.response?.status).toBe(503);
    expect(patch.server.seen).toHaveLength(1);
  });
});

describe('BearerTokenMiddleware', () => {
  const auth = () => {
    const calls = { get: 0, refresh: [] as string[] };
    let current = 'token-1';
    return {
      calls,
      provider: {
        getAccessToken: async () => {
          calls.get += 1;
          return current;
        },
        refreshAfterRejection: async (rejected: string) => {
          calls.refresh.push(rejected);
          current = 'token-2';
          return current;
        },
      },
    };
  };

  it('refreshes exactly the rejected token once after a 401 and repeats the request once', async () => {
    const { calls, provider } = auth();
    const bearer = new BearerTokenMiddleware(provider, 'https://graph.example');
    const server = new ScriptedServer([status(401), status(401)]);
    bearer.setNext(server);
    const ctx = context('https://graph.example/v1.0/me');
    await bearer.execute(ctx);
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(calls.refresh).toEqual(['token-1']);
    expect(ctx.response?.status).toBe(401);
    expect(isAppError(toProviderError(new GraphError(401, 'expired'), 'read'), 'provider.auth_revoked')).toBe(true);
  });

  it('never sends the token to another origin (a link that points elsewhere)', async () => {
    const { calls, provider } = auth();
    const bearer = new BearerTokenMiddleware(provider, 'https://graph.example');
    const server = new ScriptedServer([]);
    bearer.setNext(server);
    await bearer.execute({ request: 'https://evil.example/v1.0/me', options: { method: 'GET', headers: { Authorization: 'Bearer leaked' } } });
    await bearer.execute(context('https://graph.example:8443/v1.0/me'));
    expect(server.seen.map((s) => s.authorization)).toEqual([undefined, undefined]);
    expect(calls.get).toBe(0);
  });
});

describe('toProviderError', () => {
  it.each([
    [410, 'syncStateNotFound', 'delta', 'provider.cursor_invalid'],
    [410, 'resyncRequired', 'delta', 'provider.cursor_invalid'],
    [404, 'ErrorItemNotFound', 'read', 'provider.not_found'],
    [400, 'ErrorInvalidIdMalformed', 'write', 'provider.not_found'],
    [412, 'ErrorIrresolvableConflict', 'write', 'provider.precondition_failed'],
    [400, 'ErrorInvalidRequest', 'write', 'provider.input_invalid'],
    [403, 'ErrorAccessDenied', 'write', 'provider.input_invalid'],
    [503, 'ServiceNotAvailable', 'read', 'provider.unavailable'],
    [-1, '', 'read', 'provider.unavailable'],
  ] as const)('%i %s on %s → %s', (statusCode, code, operation, expected) => {
    const error = Object.assign(new GraphError(statusCode, 'x'), { code });
    expect(toProviderError(error, operation).code).toBe(expected);
  });
});

describe('MailboxSlots', () => {
  it('never lets more than its limit run at once and serves waiters in order', async () => {
    const slots = new MailboxSlots(4);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => slots.run(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(i);
      running -= 1;
    })));
    expect(peak).toBe(4);
    expect(order.slice(4, 8).every((i) => i >= 4 && i < 8)).toBe(true);
    expect(slots.inFlight).toBe(0);
  });
});
