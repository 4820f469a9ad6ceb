import type { AuthenticationProvider, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { rememberCallFailure, retryAfterMsOf } from './graph-errors.ts';
import type { MailboxSlots } from './mailbox-slots.ts';
import { backoffDelayMs } from '../../../shared/domain/backoff.ts';

/** Our AuthenticationProvider can also replace a token that Graph rejected (401). */
export interface RefreshingAuthenticationProvider extends AuthenticationProvider {
  refreshAfterRejection(rejectedToken: string): Promise<string>;
}

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

function methodOf(context: Context): string {
  return (typeof context.request === 'string' ? context.options?.method : context.request.method)?.toUpperCase() ?? 'GET';
}

function setHeader(context: Context, name: string, value: string | null): void {
  if (typeof context.request !== 'string') {
    if (value === null) context.request.headers.delete(name);
    else context.request.headers.set(name, value);
    return;
  }
  context.options ??= {};
  const headers = context.options.headers;
  if (headers instanceof Headers) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
    return;
  }
  const record = { ...((headers as Record<string, string> | undefined) ?? {}) };
  for (const key of Object.keys(record)) if (key.toLowerCase() === name.toLowerCase()) delete record[key];
  if (value !== null) record[name] = value;
  context.options.headers = record;
}

async function discard(response: Response | undefined): Promise<void> {
  await response?.body?.cancel().catch(() => undefined);
}

function remembered(error: unknown): never {
  rememberCallFailure(error);
  throw error;
}

abstract class ChainedMiddleware implements Middleware {
  protected next!: Middleware;
  abstract execute(context: Context): Promise<void>;
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Attaches the bearer token from our AuthenticationProvider, only to requests for the configured Graph
 * origin (an absolute next/delta link pointing anywhere else never gets the token). After a 401 it asks for
 * a replacement of exactly the rejected token once and repeats the request once (the AccessTokenSource
 * collapses concurrent refreshes; a second 401 is the caller's `auth_revoked`).
 */
export class BearerTokenMiddleware extends ChainedMiddleware {
  private readonly auth: RefreshingAuthenticationProvider;
  private readonly origin: string;

  constructor(auth: RefreshingAuthenticationProvider, graphOrigin: string) {
    super();
    this.auth = auth;
    this.origin = new URL(graphOrigin).origin;
  }

  async execute(context: Context): Promise<void> {
    if (new URL(urlOf(context)).origin !== this.origin) {
      setHeader(context, 'Authorization', null);
      return this.next.execute(context);
    }
    const token = await this.auth.getAccessToken().catch(remembered);
    setHeader(context, 'Authorization', `Bearer ${token}`);
    await this.next.execute(context);
    if (context.response?.status !== 401) return;
    await discard(context.response);
    const replacement = await this.auth.refreshAfterRejection(token).catch(remembered);
    setHeader(context, 'Authorization', `Bearer ${replacement}`);
    await this.next.execute(context);
  }
}

/** Marks one request as safe to repeat after a 503/504 (a POST with a `transactionId`). */
export class IdempotentRequest {
  readonly idempotent = true;
}

export interface ThrottleRetryOptions {
  /** Repeats after the first attempt. */
  maxRetries: number;
  /** Longest wait we sit out in-process; a longer `Retry-After` goes back to the caller (the queue waits). */
  maxDelayMs: number;
  /** Wait without Retry-After: base × 2^attempt, with jitter. */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The only retry layer for Graph calls (the SDK's RetryHandler is not in the chain: it sleeps up to 180 s in
 * a Lambda, cannot be told to give up on long Retry-After values and would retry non-idempotent PATCHes).
 * 429 is repeated for every method (a throttled request was not executed); 503/504 only for reads, deletes
 * and requests marked IdempotentRequest. Whatever is still failing after `maxRetries`, or asks to wait
 * longer than `maxDelayMs`, is returned as is and becomes `provider.rate_limited` / `provider.unavailable`
 * with the server's Retry-After, so the job queue waits instead of this process: one retry budget per
 * request here, one per job there, never a product of both.
 */
export class ThrottleRetryMiddleware extends ChainedMiddleware {
  private readonly options: ThrottleRetryOptions;
  /** Retries made (metrics, tests). */
  retries = 0;

  constructor(options: ThrottleRetryOptions) {
    super();
    this.options = options;
  }

  async execute(context: Context): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.next.execute(context);
      const response = context.response;
      if (!response || attempt >= this.options.maxRetries || !this.retryable(response.status, context)) return;
      const retryAfter = retryAfterMsOf(response.headers.get('retry-after'));
      const delay = retryAfter ?? backoffDelayMs(attempt, { baseMs: this.options.baseDelayMs, capMs: this.options.maxDelayMs });
      if (delay > this.options.maxDelayMs) return;
      await discard(response);
      this.retries += 1;
      await this.options.sleep(delay);
    }
  }

  private retryable(status: number, context: Context): boolean {
    if (status === 429) return true;
    if (status !== 503 && status !== 504) return false;
    const method = methodOf(context);
    if (method === 'GET' || method === 'DELETE' || method === 'HEAD') return true;
    return context.middlewareControl?.getMiddlewareOptions(IdempotentRequest) instanceof IdempotentRequest;
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The network call: one mailbox slot per request (held until the whole body is in, as Graph counts it), and
 * a deadline per attempt so a stalled connection cannot hold a worker until its timeout.
 */
export class MailboxFetchMiddleware implements Middleware {
  private readonly slots: MailboxSlots;
  private readonly timeoutMs: number;

  constructor(slots: MailboxSlots, timeoutMs: number) {
    this.slots = slots;
    this.timeoutMs = timeoutMs;
  }

  async execute(context: Context): Promise<void> {
    context.response = await this.slots.run(async () => {
      const response = await fetch(context.request, { ...context.options, signal: AbortSignal.timeout(this.timeoutMs) } as RequestInit);
      const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    });
  }
}
