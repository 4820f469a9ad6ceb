import { randomUUID } from 'node:crypto';
import { GraphHttpError, graphErrorBody } from './graph-error.ts';
import { parsePrefer, type SimRequest, type SimResponse } from './http-types.ts';
import type { FaultInjector, MailboxLimiter } from './faults.ts';
import type { IdentityService } from './identity.ts';
import type { MailboxStore } from './mailbox-store.ts';
import { allowed, type GraphRouter } from './graph-router.ts';
import { runBatch } from './batch.ts';
import { resolveTimeZone } from './time-zones.ts';

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  route: string;
  status: number;
  durationMs: number;
  inBatch: boolean;
}

export interface DispatcherDeps {
  identity: IdentityService;
  router: GraphRouter;
  faults: FaultInjector;
  limiter: MailboxLimiter;
  store: MailboxStore;
  loginPath: string;
  now: () => Date;
}

const REQUEST_LOG_SIZE = 2_000;
const USERS_PATH = /^\/users\/([^/]+)(\/.*)?$/i;

/** Graph paths name mailboxes as `/me/...` or `/users/{id|upn}/...`; routes only know `/me`. */
function toMePath(path: string): { path: string; userRef: string | null } {
  const match = USERS_PATH.exec(path);
  return match ? { path: `/me${match[2] ?? ''}`, userRef: match[1]! } : { path, userRef: null };
}

/**
 * Every request (from the socket or a `$batch` step) goes through the same steps: count the route, apply
 * scripted faults, authenticate, take a mailbox concurrency slot, wait the injected latency, run the route.
 * Errors become Graph's error shape with a request id.
 */
export class Dispatcher {
  private readonly deps: DispatcherDeps;
  readonly counters = new Map<string, number>();
  readonly requestLog: RequestLogEntry[] = [];

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
  }

  async dispatch(request: SimRequest, inBatch = false): Promise<SimResponse> {
    const started = performance.now();
    const requestId = randomUUID();
    const isLogin = request.path === this.deps.loginPath || request.path.startsWith(`${this.deps.loginPath}/`);
    const route = isLogin ? this.loginRouteName(request) : this.graphRouteName(request);
    this.counters.set(route, (this.counters.get(route) ?? 0) + 1);
    let response: SimResponse;
    try {
      response = isLogin ? await this.login(request) : await this.graph(request, inBatch);
    } catch (error) {
      if (!(error instanceof GraphHttpError)) throw error;
      response = isLogin
        ? { status: error.status, headers: error.headers, json: { error: error.code, error_description: error.message } }
        : { status: error.status, headers: error.headers, json: graphErrorBody(error.code, error.message, requestId, this.deps.now(), request.headers['client-request-id']) };
    }
    response.headers = { ...response.headers, 'request-id': requestId, ...(request.headers['client-request-id'] ? { 'client-request-id': request.headers['client-request-id'] } : {}) };
    this.requestLog.push({ at: new Date().toISOString(), method: request.method, path: request.path, route, status: response.status, durationMs: Math.round(performance.now() - started), inBatch });
    if (this.requestLog.length > REQUEST_LOG_SIZE) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_SIZE);
    return response;
  }

  private loginRouteName(request: SimRequest): string {
    const rest = request.path.slice(this.deps.loginPath.length).replace(/^\/[^/]+/, '/{tenant}');
    return `${request.method} ${this.deps.loginPath}${rest}`;
  }

  private graphRouteName(request: SimRequest): string {
    if (!request.path.startsWith('/v1.0/')) return `${request.method} (unknown)`;
    const path = request.path.slice('/v1.0'.length);
    if (path === '/$batch') return `${request.method} /v1.0/$batch`;
    return this.deps.router.match(request.method, toMePath(path).path).name;
  }

  private async pause(path: string): Promise<void> {
    const latency = this.deps.faults.latencyFor(path);
    // Even without injected latency a request holds its slot across one turn of the event loop, so
    // parallel requests (and batch steps) really overlap.
    await new Promise((resolve) => (latency > 0 ? setTimeout(resolve, latency) : setImmediate(resolve)));
  }

  private scriptedFault(request: SimRequest, phase: 'before' | 'after' = 'before'): void {
    const fault = this.deps.faults.take(request.method, request.path, phase);
    if (!fault) return;
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    if (fault.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="", error="invalid_token"';
    throw new GraphHttpError(fault.status, fault.code, fault.message, headers);
  }

  private async login(request: SimRequest): Promise<SimResponse> {
    this.scriptedFault(request);
    await this.pause(request.path);
    return this.deps.identity.handle(request, request.path.slice(this.deps.loginPath.length));
  }

  private async graph(request: SimRequest, inBatch: boolean): Promise<SimResponse> {
    if (!request.path.startsWith('/v1.0/')) {
      throw new GraphHttpError(request.path.startsWith('/beta/') ? 400 : 404, 'BadRequest', `Invalid version or path: ${request.path}. The simulator serves /v1.0 only.`);
    }
    this.scriptedFault(request);
    const auth = this.deps.identity.authenticate(request.headers.authorization);
    const relative = request.path.slice('/v1.0'.length);
    if (relative === '/$batch' && !inBatch) {
      if (request.method !== 'POST') throw new GraphHttpError(405, 'BadRequest', '$batch takes POST only.');
      await this.pause(request.path);
      return runBatch(request, (inner) => this.dispatch(inner, true));
    }
    const { path, userRef } = toMePath(relative);
    if (userRef !== null && this.deps.store.findUser(userRef)?.id !== auth.user.id) {
      throw new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    const match = this.deps.router.match(request.method, path);
    if (match.kind === 'notFound') throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? ''}'.`);
    if (match.kind === 'methodNotAllowed') throw new GraphHttpError(405, 'BadRequest', `The HTTP method '${request.method}' is not allowed for this resource.`);
    if (!allowed(match.route.access, auth.scopes)) throw new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    const admission = this.deps.limiter.admit(`${auth.clientId}|${auth.user.id}`, this.deps.now().getTime());
    if (!admission.admitted) {
      throw new GraphHttpError(429, 'ApplicationThrottled', admission.message, { 'Retry-After': String(admission.retryAfterSeconds) });
    }
    try {
      await this.pause(request.path);
      const prefer = parsePrefer(request.headers.prefer);
      const zone = prefer.timeZone ? resolveTimeZone(prefer.timeZone) : null;
      const render = zone
        ? { timeZoneName: prefer.timeZone!, zone, bodyContentType: prefer.bodyContentType }
        : { timeZoneName: 'UTC', zone: 'UTC', bodyContentType: prefer.bodyContentType };
      const response = await match.route.handler({ request, auth, prefer: zone ? prefer : { ...prefer, timeZone: null }, render, params: match.params });
      this.scriptedFault(request, 'after');
      return response;
    } finally {
      admission.release();
    }
  }
}
