import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ZoomApiError, ZoomOAuthError, zoomErrors } from './errors.ts';
import { errorResponse, startHttpServer, type RunningServer, type SimRequest, type SimResponse } from './server.ts';
import { occurrencesOf, parseRecurrence, type SimRecurrence } from './recurrence.ts';
import { encryptedToken, signedRequest, type WebhookDelivery } from './webhooks.ts';

/**
 * An in-memory Zoom (providers.md §D): Server-to-Server OAuth (`account_credentials`), the user-level OAuth
 * app (authorize + PKCE, rotating refresh tokens), meetings create/get/list/patch/delete with Zoom's error
 * shapes and rate-limit headers, the per-user daily create/update limit (100), a per-second limit, fault
 * injection (before or after the work is done, or a hang-up), and a webhook sender that signs like Zoom.
 */
export interface ZoomSimulatorOptions {
  host?: string;
  port?: number;
  /** The user-level OAuth app. */
  clientId?: string;
  clientSecret?: string;
  /** Who consents on the authorize page without a person (sandbox and tests); null shows an error page. */
  autoConsentUser?: string | null;
  /** Daily create/update limit per user (Zoom: 100). */
  dailyMeetingLimit?: number;
  accessTokenTtlSeconds?: number;
  now?: () => Date;
}

export interface ZoomUser {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  timezone: string;
}

export interface ZoomMeeting {
  uuid: string;
  id: number;
  host_id: string;
  host_email: string;
  topic: string;
  type: number;
  status: 'waiting' | 'started' | 'finished';
  start_time: string;
  duration: number;
  timezone: string;
  agenda: string;
  created_at: string;
  start_url: string;
  join_url: string;
  password: string;
  /** Type 8 only: Zoom's own series; GET lists its `occurrences`. */
  recurrence?: SimRecurrence;
  settings: { waiting_room: boolean; join_before_host: boolean; host_video: boolean; participant_video: boolean; mute_upon_entry: boolean; global_dial_in_numbers?: { country: string; country_name: string; number: string; type: string }[] };
}

export interface S2SApp {
  accountId: string;
  clientId: string;
  clientSecret: string;
}

export interface ZoomFailSpec {
  method?: string;
  /** A substring of, or a pattern tested against, the path. */
  pathPattern?: string | RegExp;
  /** An HTTP status, or `'reset'` to hang up without an answer. */
  status: number | 'reset';
  code?: number;
  message?: string;
  retryAfter?: number;
  count?: number;
  /** `after`: the request takes effect, then the answer is lost. */
  phase?: 'before' | 'after';
}

export interface ZoomRequestLogEntry {
  method: string;
  path: string;
  status: number | 'reset';
  at: string;
}

interface AccessToken {
  accountId: string;
  /** Null for an account-level (S2S) token. */
  userId: string | null;
  clientId: string;
  expiresAtMs: number;
  /** The user grant this token came from (null for S2S): revoking any token of a grant ends all of them. */
  grantId: string | null;
}

interface AuthCode {
  userId: string;
  redirectUri: string;
  challenge: string | null;
  expiresAtMs: number;
}

export const SANDBOX_S2S: S2SApp = { accountId: 'sandbox-account', clientId: 'sandbox-client', clientSecret: 'sandbox-secret' };
export const SANDBOX_HOST_EMAIL = 'sandbox.host@example.com';

const MEETING_TYPES = new Set([1, 2, 3, 8]);

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function basicAuth(request: SimRequest): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function jsonBody(request: SimRequest): Record<string, unknown> {
  if (request.body.length === 0) throw zoomErrors.validation('Request Body should be a valid JSON object.');
  try {
    const parsed: unknown = JSON.parse(request.body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw zoomErrors.validation('Request Body should be a valid JSON object.');
}

/** Zoom writes `start_time` in UTC with a `Z` and no fractional seconds. */
function zoomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export class ZoomSimulator {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dailyMeetingLimit: number;
  readonly webhookLog: WebhookDelivery[] = [];
  #running: RunningServer | null = null;
  readonly #options: ZoomSimulatorOptions;
  readonly #now: () => Date;
  readonly #apps = new Map<string, S2SApp>();
  readonly #users = new Map<string, ZoomUser>();
  readonly #meetings = new Map<number, ZoomMeeting>();
  readonly #tokens = new Map<string, AccessToken>();
  readonly #refreshTokens = new Map<string, { userId: string; clientId: string; grantId: string }>();
  readonly #codes = new Map<string, AuthCode>();
  /** `${userId}|${utc day}` → create/update requests counted against the daily limit. */
  readonly #daily = new Map<string, number>();
  readonly #qps = new Map<string, number[]>();
  #perSecondLimit: number | null = null;
  #fails: (ZoomFailSpec & { remaining: number })[] = [];
  #latencyMs = 0;
  #webhook: { url: string; secretToken: string } | null = null;
  readonly #pending = new Set<Promise<void>>();
  readonly #log: ZoomRequestLogEntry[] = [];
  #accessTtl: number;

  constructor(options: ZoomSimulatorOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.clientId = options.clientId ?? 'zoom-user-app';
    this.clientSecret = options.clientSecret ?? 'zoom-user-app-secret';
    this.dailyMeetingLimit = options.dailyMeetingLimit ?? 100;
    this.#accessTtl = options.accessTokenTtlSeconds ?? 3600;
  }

  get origin(): string {
    if (!this.#running) throw new Error('zoom simulator is not started');
    return `http://${this.#options.host ?? '127.0.0.1'}:${this.#running.port}`;
  }

  /** ZOOM_OAUTH_URL (token at `/oauth/token`, authorize at `/oauth/authorize`) and ZOOM_API_URL. */
  get endpoints(): { oauthUrl: string; apiUrl: string; tokenUrl: string; authorizeUrl: string } {
    return { oauthUrl: this.origin, apiUrl: `${this.origin}/v2`, tokenUrl: `${this.origin}/oauth/token`, authorizeUrl: `${this.origin}/oauth/authorize` };
  }

  async start(): Promise<this> {
    this.#running = await startHttpServer(this.#options.host ?? '127.0.0.1', this.#options.port ?? 0, (request) => this.#handle(request), () => this.#latencyMs);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    await this.#running?.close();
    this.#running = null;
  }

  // ---- acting as Zoom's admin and users (no HTTP) ----

  addS2SApp(app: S2SApp): S2SApp {
    this.#apps.set(app.clientId, app);
    return app;
  }

  addUser(input: { email: string; accountId: string; firstName?: string; lastName?: string; timezone?: string }): ZoomUser {
    const user: ZoomUser = {
      id: randomBytes(11).toString('base64url').slice(0, 22),
      accountId: input.accountId,
      email: input.email,
      firstName: input.firstName ?? input.email.split('@')[0]!,
      lastName: input.lastName ?? '',
      timezone: input.timezone ?? 'UTC',
    };
    this.#users.set(user.id, user);
    return user;
  }

  user(idOrEmail: string): ZoomUser | null {
    return this.#users.get(idOrEmail) ?? [...this.#users.values()].find((u) => u.email.toLowerCase() === idOrEmail.toLowerCase()) ?? null;
  }

  meetings(userId?: string): ZoomMeeting[] {
    return [...this.#meetings.values()].filter((m) => !userId || m.host_id === userId || m.host_email === userId).map((m) => structuredClone(m));
  }

  meeting(id: number | string): ZoomMeeting | null {
    const found = this.#meetings.get(Number(id));
    return found ? structuredClone(found) : null;
  }

  /** The occurrences Zoom lists for a type 8 meeting (its own expansion of the recurrence), else []. */
  occurrences(id: number | string): string[] {
    const found = this.#meetings.get(Number(id));
    if (!found || found.type !== 8 || !found.recurrence) return [];
    return occurrencesOf(found.recurrence, found.start_time, found.duration, found.timezone).map((o) => o.start_time);
  }

  /** Requests counted against `userId`'s daily create/update limit today. */
  dailyUsage(userId: string): number {
    return this.#daily.get(`${userId}|${utcDay(this.#now())}`) ?? 0;
  }

  /** Uses up `count` of the user's daily create/update requests (as other apps of the account would). */
  consumeDaily(userId: string, count: number): void {
    const key = `${userId}|${utcDay(this.#now())}`;
    this.#daily.set(key, (this.#daily.get(key) ?? 0) + count);
  }

  failNext(spec: ZoomFailSpec): void {
    this.#fails.push({ ...spec, remaining: spec.count ?? 1 });
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Per-second limit per user (token); over it → 429 with Retry-After: 1. Null = off. */
  setPerSecondLimit(limit: number | null): void {
    this.#perSecondLimit = limit;
  }

  /** Every access token of the account (or user) stops working: 401 code 124. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** Whether `token` (an access or refresh token) still works: false once expired, rotated away or revoked. */
  tokenActive(token: string): boolean {
    const access = this.#tokens.get(token);
    if (access) return access.expiresAtMs > this.#now().getTime();
    return this.#refreshTokens.has(token);
  }

  /** How many grants of the user-level app `userId` has that still work (a revoke ends one; a refresh keeps it). */
  userGrants(userId: string): number {
    return new Set([...this.#refreshTokens.values()].filter((t) => t.userId === userId && t.clientId === this.clientId).map((t) => t.grantId)).size;
  }

  requestLog(): ZoomRequestLogEntry[] {
    return [...this.#log];
  }

  /** A user-level OAuth grant issued directly (tests that skip the browser flow). */
  issueUserTokens(userId: string): { access_token: string; refresh_token: string; expires_in: number } {
    return this.#userTokens(userId, this.clientId);
  }

  /** The app's event subscription: Zoom posts events here, signed with `secretToken`. */
  subscribe(url: string, secretToken: string): void {
    this.#webhook = { url, secretToken };
  }

  /**
   * Zoom's endpoint.url_validation: posts a random plainToken and checks the answer's encryptedToken.
   * Resolves true when the endpoint answered correctly.
   */
  async validateEndpoint(): Promise<{ ok: boolean; status: number; body: string }> {
    const webhook = this.#requireWebhook();
    const plainToken = randomBytes(16).toString('base64url');
    const request = signedRequest(webhook.secretToken, 'endpoint.url_validation', { plainToken }, this.#now().getTime());
    const response = await fetch(webhook.url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    let ok: boolean;
    try {
      const answer = JSON.parse(text) as { plainToken?: unknown; encryptedToken?: unknown };
      ok = response.status === 200 && answer.plainToken === plainToken && answer.encryptedToken === encryptedToken(webhook.secretToken, plainToken);
    } catch {
      ok = false;
    }
    this.webhookLog.push({ event: 'endpoint.url_validation', status: response.status, body: request.body, at: this.#now().toISOString() });
    return { ok, status: response.status, body: text };
  }

  /** A signed event delivery to the subscribed URL; resolves with the receiver's status. */
  async sendEvent(event: string, payload: unknown): Promise<number> {
    const webhook = this.#requireWebhook();
    const request = signedRequest(webhook.secretToken, event, payload, this.#now().getTime());
    let status: number | 'error' = 'error';
    try {
      const response = await fetch(webhook.url, { method: 'POST', headers: request.headers, body: request.body });
      await response.arrayBuffer();
      status = response.status;
    } finally {
      this.webhookLog.push({ event, status, body: request.body, at: this.#now().toISOString() });
    }
    return typeof status === 'number' ? status : 0;
  }

  /** The host changes the meeting in Zoom's app: applied, then `meeting.updated` is sent when subscribed. */
  async userUpdateMeeting(id: number, patch: { start_time?: string; duration?: number; topic?: string }): Promise<void> {
    const meeting = this.#meetings.get(id);
    if (!meeting) throw new Error(`no meeting ${id}`);
    const old = { id, start_time: meeting.start_time, duration: meeting.duration, topic: meeting.topic };
    if (patch.start_time) meeting.start_time = zoomTime(Date.parse(patch.start_time));
    if (patch.duration !== undefined) meeting.duration = patch.duration;
    if (patch.topic !== undefined) meeting.topic = patch.topic;
    if (this.#webhook) {
      await this.sendEvent('meeting.updated', {
        account_id: this.#users.get(meeting.host_id)?.accountId,
        operator: meeting.host_email,
        object: { id, uuid: meeting.uuid, host_id: meeting.host_id, ...patch },
        old_object: old,
        time_stamp: this.#now().getTime(),
      });
    }
  }

  /** The host deletes the meeting in Zoom's app: removed, then `meeting.deleted` is sent when subscribed. */
  async userDeleteMeeting(id: number): Promise<void> {
    const meeting = this.#meetings.get(id);
    if (!meeting) throw new Error(`no meeting ${id}`);
    this.#meetings.delete(id);
    if (this.#webhook) {
      await this.sendEvent('meeting.deleted', {
        account_id: this.#users.get(meeting.host_id)?.accountId,
        operator: meeting.host_email,
        object: { id, uuid: meeting.uuid, host_id: meeting.host_id, topic: meeting.topic, type: meeting.type, start_time: meeting.start_time, duration: meeting.duration, timezone: meeting.timezone },
      });
    }
  }

  // ---- HTTP ----

  #requireWebhook(): { url: string; secretToken: string } {
    if (!this.#webhook) throw new Error('no webhook subscription: call subscribe(url, secretToken) first');
    return this.#webhook;
  }

  #takeFail(request: SimRequest, phase: 'before' | 'after'): ZoomFailSpec | null {
    const index = this.#fails.findIndex((spec) => {
      if ((spec.phase ?? 'before') !== phase) return false;
      if (spec.method && spec.method.toUpperCase() !== request.method) return false;
      const path = request.url.pathname;
      if (spec.pathPattern && !(typeof spec.pathPattern === 'string' ? path.includes(spec.pathPattern) : spec.pathPattern.test(path))) return false;
      return true;
    });
    if (index < 0) return null;
    const spec = this.#fails[index]!;
    spec.remaining -= 1;
    if (spec.remaining <= 0) this.#fails.splice(index, 1);
    return spec;
  }

  #failure(spec: ZoomFailSpec): SimResponse | 'reset' {
    if (spec.status === 'reset') return 'reset';
    const headers: Record<string, string> = spec.retryAfter === undefined ? {} : { 'retry-after': String(spec.retryAfter) };
    return errorResponse(new ZoomApiError(spec.status, spec.code ?? spec.status, spec.message ?? (spec.status >= 500 ? 'Internal Server Error' : 'Injected failure'), headers));
  }

  #handle(request: SimRequest): SimResponse | 'reset' {
    const before = this.#takeFail(request, 'before');
    let result: SimResponse | 'reset';
    if (before) result = this.#failure(before);
    else {
      try {
        result = this.#route(request);
      } catch (error) {
        result = errorResponse(error);
      }
      const after = this.#takeFail(request, 'after');
      if (after) result = this.#failure(after);
    }
    this.#log.push({ method: request.method, path: request.url.pathname, status: result === 'reset' ? 'reset' : result.status, at: this.#now().toISOString() });
    return result;
  }

  #route(request: SimRequest): SimResponse {
    const path = request.url.pathname;
    const method = request.method;
    if (path === '/oauth/token' && method === 'POST') return this.#token(request);
    if (path === '/oauth/revoke' && method === 'POST') return this.#revoke(request);
    if (path === '/oauth/authorize' && method === 'GET') return this.#authorize(request);
    if (!path.startsWith('/v2/')) throw zoomErrors.notFound();
    const auth = this.#authenticate(request);
    let match: RegExpExecArray | null;
    if ((match = /^\/v2\/users\/([^/]+)$/.exec(path)) && method === 'GET') return { status: 200, body: this.#userJson(this.#resolveUser(auth, decodeURIComponent(match[1]!))) };
    if ((match = /^\/v2\/users\/([^/]+)\/meetings$/.exec(path))) {
      const user = this.#resolveUser(auth, decodeURIComponent(match[1]!));
      if (method === 'POST') return this.#createMeeting(request, auth, user);
      if (method === 'GET') return this.#listMeetings(request, user);
    }
    if ((match = /^\/v2\/meetings\/([^/]+)$/.exec(path))) {
      const meeting = this.#meetingFor(auth, match[1]!);
      if (method === 'GET') return { status: 200, body: this.#meetingJson(meeting) };
      if (method === 'PATCH') return this.#patchMeeting(request, auth, meeting);
      if (method === 'DELETE') {
        this.#meetings.delete(meeting.id);
        return { status: 204 };
      }
    }
    throw zoomErrors.notFound();
  }

  // ---- OAuth ----

  #token(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    for (const [key, value] of request.url.searchParams) if (!form.has(key)) form.set(key, value);
    const client = basicAuth(request);
    if (!client) throw new ZoomOAuthError(401, 'invalid_client', 'Invalid client_id or client_secret');
    const grant = form.get('grant_type');
    if (grant === 'account_credentials') {
      const app = this.#apps.get(client.id);
      if (!app || !safeEqual(app.clientSecret, client.secret)) throw new ZoomOAuthError(400, 'invalid_client', 'Invalid client_id or client_secret');
      if (form.get('account_id') !== app.accountId) throw new ZoomOAuthError(400, 'invalid_request', 'Invalid account_id');
      const token = `s2s.${randomBytes(24).toString('base64url')}`;
      this.#tokens.set(token, { accountId: app.accountId, userId: null, clientId: app.clientId, expiresAtMs: this.#now().getTime() + this.#accessTtl * 1000, grantId: null });
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.#accessTtl, scope: 'meeting:write:admin meeting:read:admin user:read:admin', api_url: this.endpoints.apiUrl.replace(/\/v2$/, '') } };
    }
    if (client.id !== this.clientId || !safeEqual(this.clientSecret, client.secret)) throw new ZoomOAuthError(401, 'invalid_client', 'Invalid client_id or client_secret');
    if (grant === 'authorization_code') {
      const code = this.#codes.get(form.get('code') ?? '');
      this.#codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAtMs < this.#now().getTime()) throw new ZoomOAuthError(400, 'invalid_grant', 'Invalid authorization code');
      if (form.get('redirect_uri') !== code.redirectUri) throw new ZoomOAuthError(400, 'invalid_request', 'Redirect URI mismatch.');
      if (code.challenge) {
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) throw new ZoomOAuthError(400, 'invalid_request', 'Invalid code_verifier');
      }
      return { status: 200, body: this.#userTokens(code.userId, client.id) };
    }
    if (grant === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      const owner = this.#refreshTokens.get(refresh);
      if (!owner || owner.clientId !== client.id) throw new ZoomOAuthError(400, 'invalid_grant', 'Invalid Token!');
      // Zoom rotates refresh tokens: the one just used stops working.
      this.#refreshTokens.delete(refresh);
      return { status: 200, body: this.#userTokens(owner.userId, client.id, owner.grantId) };
    }
    throw new ZoomOAuthError(400, 'unsupported_grant_type', 'Unsupported grant type');
  }

  /** A grant's tokens; a refresh continues its grant (`grantId`), a new authorization starts one. */
  #userTokens(userId: string, clientId: string, grantId = `grt.${randomBytes(12).toString('base64url')}`): { access_token: string; token_type: string; refresh_token: string; expires_in: number; scope: string } {
    const user = this.#users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    const access = `usr.${randomBytes(24).toString('base64url')}`;
    const refresh = `rfr.${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(access, { accountId: user.accountId, userId, clientId, expiresAtMs: this.#now().getTime() + this.#accessTtl * 1000, grantId });
    this.#refreshTokens.set(refresh, { userId, clientId, grantId });
    return { access_token: access, token_type: 'bearer', refresh_token: refresh, expires_in: this.#accessTtl, scope: 'meeting:write meeting:read user:read' };
  }

  /**
   * `POST /oauth/revoke` (Basic auth of the user-level app, `token=` an access or refresh token): the app's
   * authorization by that user ends, so every access and refresh token of the grant dies, whichever was
   * sent. An unknown or already revoked token answers 200 too (a repeat is harmless).
   */
  #revoke(request: SimRequest): SimResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    for (const [key, value] of request.url.searchParams) if (!form.has(key)) form.set(key, value);
    const client = basicAuth(request);
    if (!client || client.id !== this.clientId || !safeEqual(this.clientSecret, client.secret)) throw new ZoomOAuthError(401, 'invalid_client', 'Invalid client_id or client_secret');
    const token = form.get('token');
    if (!token) throw new ZoomOAuthError(400, 'invalid_request', 'Missing token');
    // Only this app's user grants: an S2S token (no grant) or another app's token is unknown here.
    const owner = this.#tokens.get(token) ?? this.#refreshTokens.get(token);
    const grantId = owner?.clientId === client.id ? (owner.grantId ?? null) : null;
    if (grantId !== null) {
      for (const [key, value] of this.#tokens) if (value.grantId === grantId) this.#tokens.delete(key);
      for (const [key, value] of this.#refreshTokens) if (value.grantId === grantId) this.#refreshTokens.delete(key);
    }
    return { status: 200, body: { status: 'success' } };
  }

  #authorize(request: SimRequest): SimResponse {
    const q = request.url.searchParams;
    if (q.get('response_type') !== 'code' || q.get('client_id') !== this.clientId) return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Invalid client_id or response_type' };
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Missing redirect_uri' };
    const challenge = q.get('code_challenge');
    if (challenge && q.get('code_challenge_method') !== 'S256') return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'Only S256 code challenges are supported' };
    const consenting = this.#options.autoConsentUser ? this.user(this.#options.autoConsentUser) : null;
    if (!consenting) return { status: 200, headers: { 'content-type': 'text/html' }, body: '<p>Zoom simulator: no user to sign in (set autoConsentUser)</p>' };
    const code = randomBytes(18).toString('base64url');
    this.#codes.set(code, { userId: consenting.id, redirectUri, challenge, expiresAtMs: this.#now().getTime() + 5 * 60_000 });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = q.get('state');
    if (state) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() } };
  }

  #authenticate(request: SimRequest): AccessToken {
    const match = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '');
    const token = match ? this.#tokens.get(match[1]!) : undefined;
    if (!token) throw zoomErrors.invalidToken();
    if (token.expiresAtMs <= this.#now().getTime()) throw zoomErrors.expiredToken();
    return token;
  }

  /** `me` is the token's user; an account (S2S) token may address any user of its account, by id or email. */
  #resolveUser(auth: AccessToken, userId: string): ZoomUser {
    if (userId === 'me') {
      const own = auth.userId ? this.#users.get(auth.userId) : [...this.#users.values()].find((u) => u.accountId === auth.accountId);
      if (!own) throw zoomErrors.userNotFound(userId);
      return own;
    }
    const user = this.user(userId);
    if (!user || user.accountId !== auth.accountId || (auth.userId !== null && auth.userId !== user.id)) throw zoomErrors.userNotFound(userId);
    return user;
  }

  #userJson(user: ZoomUser): Record<string, unknown> {
    return { id: user.id, account_id: user.accountId, email: user.email, first_name: user.firstName, last_name: user.lastName, type: 2, timezone: user.timezone, status: 'active' };
  }

  #meetingFor(auth: AccessToken, rawId: string): ZoomMeeting {
    const id = Number(rawId);
    const meeting = Number.isSafeInteger(id) ? this.#meetings.get(id) : undefined;
    const host = meeting ? this.#users.get(meeting.host_id) : undefined;
    if (!meeting || !host || host.accountId !== auth.accountId || (auth.userId !== null && auth.userId !== host.id)) throw zoomErrors.meetingNotFound(rawId);
    return meeting;
  }

  // ---- limits ----

  #rateHeaders(category: string, remaining: number, limit: number): Record<string, string> {
    return { 'x-ratelimit-category': category, 'x-ratelimit-type': 'QPS', 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(Math.max(0, remaining)) };
  }

  /** The per-second limit (when set), then the per-user daily create/update limit. */
  #countWrite(userId: string): Record<string, string> {
    this.#checkPerSecond(userId);
    const key = `${userId}|${utcDay(this.#now())}`;
    const used = this.#daily.get(key) ?? 0;
    if (used >= this.dailyMeetingLimit) {
      const midnight = new Date(`${utcDay(this.#now())}T00:00:00Z`).getTime() + 86_400_000;
      throw zoomErrors.dailyLimit(this.dailyMeetingLimit, {
        'x-ratelimit-category': 'Medium',
        'x-ratelimit-type': 'Daily-limit',
        'x-ratelimit-limit': String(this.dailyMeetingLimit),
        'x-ratelimit-remaining': '0',
        'retry-after': new Date(midnight).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    }
    this.#daily.set(key, used + 1);
    return {
      'x-ratelimit-category': 'Medium',
      'x-ratelimit-type': 'Daily-limit',
      'x-ratelimit-limit': String(this.dailyMeetingLimit),
      'x-ratelimit-remaining': String(this.dailyMeetingLimit - used - 1),
    };
  }

  #checkPerSecond(userId: string): void {
    if (this.#perSecondLimit === null) return;
    const now = this.#now().getTime();
    const recent = (this.#qps.get(userId) ?? []).filter((at) => at > now - 1000);
    if (recent.length >= this.#perSecondLimit) throw zoomErrors.tooMany({ ...this.#rateHeaders('Medium', 0, this.#perSecondLimit), 'retry-after': '1' });
    recent.push(now);
    this.#qps.set(userId, recent);
  }

  // ---- meetings ----

  #meetingFields(body: Record<string, unknown>, partial: boolean): Partial<ZoomMeeting> {
    const fields: Partial<ZoomMeeting> = {};
    if (body.topic !== undefined) {
      if (typeof body.topic !== 'string' || body.topic.length > 200) throw zoomErrors.validation('Invalid field: topic.');
      fields.topic = body.topic;
    }
    if (body.type !== undefined) {
      if (typeof body.type !== 'number' || !MEETING_TYPES.has(body.type)) throw zoomErrors.validation('Invalid field: type.');
      fields.type = body.type;
    } else if (!partial) fields.type = 2;
    if (body.start_time !== undefined) {
      if (typeof body.start_time !== 'string' || Number.isNaN(Date.parse(body.start_time))) throw zoomErrors.validation('Invalid field: start_time.');
      fields.start_time = zoomTime(Date.parse(body.start_time));
    }
    if (body.duration !== undefined) {
      if (typeof body.duration !== 'number' || !Number.isInteger(body.duration) || body.duration < 1) throw zoomErrors.validation('Invalid field: duration.');
      fields.duration = body.duration;
    }
    if (body.timezone !== undefined) {
      if (typeof body.timezone !== 'string') throw zoomErrors.validation('Invalid field: timezone.');
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: body.timezone });
      } catch {
        throw zoomErrors.validation('Invalid field: timezone.');
      }
      fields.timezone = body.timezone;
    }
    if (body.agenda !== undefined) {
      if (typeof body.agenda !== 'string' || body.agenda.length > 2000) throw zoomErrors.validation('Invalid field: agenda.');
      fields.agenda = body.agenda;
    }
    if (body.settings !== undefined && (typeof body.settings !== 'object' || body.settings === null)) throw zoomErrors.validation('Invalid field: settings.');
    if (body.recurrence !== undefined) fields.recurrence = parseRecurrence(body.recurrence);
    return fields;
  }

  #settings(current: ZoomMeeting['settings'] | null, raw: unknown): ZoomMeeting['settings'] {
    const base = current ?? { waiting_room: false, join_before_host: false, host_video: false, participant_video: false, mute_upon_entry: false };
    const input = (raw ?? {}) as Record<string, unknown>;
    const next = { ...base };
    for (const key of ['waiting_room', 'join_before_host', 'host_video', 'participant_video', 'mute_upon_entry'] as const) if (typeof input[key] === 'boolean') next[key] = input[key];
    return next;
  }

  #createMeeting(request: SimRequest, _auth: AccessToken, user: ZoomUser): SimResponse {
    const body = jsonBody(request);
    const fields = this.#meetingFields(body, false);
    if ((fields.type === 2 || fields.type === 8) && !fields.start_time) throw zoomErrors.validation('start_time is required for a scheduled meeting.');
    if (fields.type === 8 && !fields.recurrence) throw zoomErrors.validation('recurrence is required for a recurring meeting with a fixed time.');
    if (fields.type !== 8) delete fields.recurrence;
    const limitHeaders = this.#countWrite(user.id);
    let id: number;
    do id = randomInt(80_000_000_000, 99_999_999_999);
    while (this.#meetings.has(id));
    const password = randomBytes(6).toString('base64url').slice(0, 8);
    const nowMs = this.#now().getTime();
    const meeting: ZoomMeeting = {
      uuid: randomBytes(16).toString('base64'),
      id,
      host_id: user.id,
      host_email: user.email,
      topic: fields.topic ?? 'Zoom meeting',
      type: fields.type ?? 2,
      status: 'waiting',
      start_time: fields.start_time ?? zoomTime(nowMs),
      duration: fields.duration ?? 60,
      timezone: fields.timezone ?? user.timezone,
      agenda: fields.agenda ?? '',
      created_at: zoomTime(nowMs),
      start_url: `https://zoom.us/s/${id}?zak=${randomBytes(12).toString('base64url')}`,
      join_url: `https://zoom.us/j/${id}?pwd=${randomBytes(12).toString('base64url')}`,
      password,
      settings: this.#settings(null, body.settings),
      ...(fields.recurrence ? { recurrence: fields.recurrence } : {}),
    };
    meeting.settings.global_dial_in_numbers = [{ country: 'US', country_name: 'US', number: '+1 646 558 8656', type: 'toll' }, { country: 'DE', country_name: 'Germany', number: '+49 69 7104 9922', type: 'toll' }];
    this.#meetings.set(id, meeting);
    return { status: 201, headers: limitHeaders, body: structuredClone(meeting) };
  }

  #patchMeeting(request: SimRequest, _auth: AccessToken, meeting: ZoomMeeting): SimResponse {
    const body = jsonBody(request);
    const fields = this.#meetingFields(body, true);
    const nextType = fields.type ?? meeting.type;
    if (nextType === 8 && !fields.recurrence && !meeting.recurrence) throw zoomErrors.validation('recurrence is required for a recurring meeting with a fixed time.');
    const limitHeaders = this.#countWrite(meeting.host_id);
    Object.assign(meeting, fields);
    if (meeting.type !== 8) delete meeting.recurrence;
    if (body.settings !== undefined) meeting.settings = this.#settings(meeting.settings, body.settings);
    return { status: 204, headers: limitHeaders };
  }

  /** A meeting as GET /meetings/{id} shows it: a type 8 series with its occurrences. */
  #meetingJson(meeting: ZoomMeeting): Record<string, unknown> {
    const json: Record<string, unknown> = { ...structuredClone(meeting) };
    if (meeting.type === 8 && meeting.recurrence) json.occurrences = occurrencesOf(meeting.recurrence, meeting.start_time, meeting.duration, meeting.timezone);
    return json;
  }

  #listMeetings(request: SimRequest, user: ZoomUser): SimResponse {
    const pageSize = Math.min(300, Math.max(1, Number(request.url.searchParams.get('page_size') ?? 30) || 30));
    const all = [...this.#meetings.values()].filter((m) => m.host_id === user.id).sort((a, b) => a.id - b.id);
    const token = request.url.searchParams.get('next_page_token');
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
    const page = all.slice(start, start + pageSize);
    const next = start + pageSize < all.length ? Buffer.from(String(start + pageSize)).toString('base64url') : '';
    return {
      status: 200,
      body: {
        page_size: pageSize,
        total_records: all.length,
        next_page_token: next,
        meetings: page.map((m) => ({ uuid: m.uuid, id: m.id, host_id: m.host_id, topic: m.topic, type: m.type, start_time: m.start_time, duration: m.duration, timezone: m.timezone, agenda: m.agenda, created_at: m.created_at, join_url: m.join_url })),
      },
    };
  }
}

export async function startZoomSimulator(options: ZoomSimulatorOptions = {}): Promise<ZoomSimulator> {
  return new ZoomSimulator(options).start();
}

/** The sandbox account: the S2S app `sandbox-account`/`sandbox-client`/`sandbox-secret` and one host. */
export function seedZoomSandbox(sim: ZoomSimulator): { app: S2SApp; host: ZoomUser } {
  const app = sim.addS2SApp(SANDBOX_S2S);
  const host = sim.user(SANDBOX_HOST_EMAIL) ?? sim.addUser({ email: SANDBOX_HOST_EMAIL, accountId: app.accountId, firstName: 'Sandbox', lastName: 'Host', timezone: 'Europe/Berlin' });
  return { app, host };
}
