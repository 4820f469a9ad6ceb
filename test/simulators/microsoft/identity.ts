import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GraphHttpError } from './graph-error.ts';
import type { SimRequest, SimResponse } from './http-types.ts';
import type { MailboxStore } from './mailbox-store.ts';
import type { SimUser } from './model.ts';
import { AADSTS, REFRESH_FAILURE_MESSAGES, aadError, aadErrorPage } from './identity-errors.ts';
import { TokenMinter } from './token-minter.ts';

export interface IdentityOptions {
  loginUrl: string;
  tenantId: string;
  clientId?: string;
  clientSecret?: string;
  /** When set, `redirect_uri` must be one of these (the app registration). */
  redirectUris?: string[];
  autoConsentUser?: string;
  accessTokenLifetimeSeconds: number;
  refreshTokenInactivityMs: number;
  /** Reusing a rotated refresh token also revokes the token that replaced it (reuse detection). */
  revokeFamilyOnReuse: boolean;
  idTokenIssuer?: string;
  idTokenAlways?: boolean;
  now: () => Date;
}

export interface AuthContext {
  user: SimUser;
  clientId: string;
  /** Lower-cased Graph permission names (`calendars.readwrite`). */
  scopes: ReadonlySet<string>;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  userId: string;
  nonce: string | null;
  expiresAtMs: number;
  redeemed: boolean;
}

interface AccessGrant {
  userId: string;
  clientId: string;
  scopes: string[];
  expiresAtMs: number;
}

interface RefreshGrant {
  userId: string;
  clientId: string;
  scopes: string[];
  familyId: string;
  issuedAtMs: number;
  lastUsedMs: number;
  state: 'active' | 'rotated' | 'revoked';
  /** AADSTS code a revoked token answers with. */
  failure: number | null;
}

const GRAPH_PREFIX = 'https://graph.microsoft.com/';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const DEFAULT_GRANT = ['Calendars.ReadWrite', 'User.Read'];
const CODE_LIFETIME_MS = 10 * 60_000;

/** Splits a scope string into OIDC scopes and Graph permissions without the resource prefix. */
function normalizeScopes(scope: string): string[] {
  const result: string[] = [];
  for (const raw of scope.split(/\s+/).filter(Boolean)) {
    const name = raw.toLowerCase().startsWith(GRAPH_PREFIX) ? raw.slice(GRAPH_PREFIX.length) : raw;
    const expanded = name.toLowerCase() === '.default' ? DEFAULT_GRANT : [name];
    for (const item of expanded) if (!result.some((r) => r.toLowerCase() === item.toLowerCase())) result.push(item);
  }
  return result;
}

function graphScopes(scopes: string[]): string[] {
  const graph = scopes.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  return graph.length > 0 ? graph : ['User.Read'];
}

function formBody(request: SimRequest): URLSearchParams {
  return new URLSearchParams(request.bodyText);
}

/**
 * The Microsoft identity platform's v2 endpoints (providers.md item 41) under `{loginUrl}/{tenant}/…`:
 * authorize with PKCE S256, the token endpoint (authorization_code, refresh_token), discovery and keys.
 * Refresh tokens rotate on every use: a successful refresh marks the presented token `rotated`, and a
 * rotated token is refused (400 invalid_grant, AADSTS70000), so of N concurrent refreshes with one token
 * exactly one succeeds.
 */
export class IdentityService {
  private readonly options: IdentityOptions;
  private readonly store: MailboxStore;
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly minter: TokenMinter;
  private denyNext: number = 0;
  consentUser: string | undefined;

  constructor(store: MailboxStore, options: IdentityOptions) {
    this.store = store;
    this.options = options;
    this.consentUser = options.autoConsentUser;
    this.minter = new TokenMinter(options.loginUrl, options.tenantId);
  }

  private get nowMs(): number {
    return this.options.now().getTime();
  }

  /** Answers `/{tenant}/oauth2/v2.0/authorize`, `/token`, discovery and keys; `path` is relative to loginUrl. */
  handle(request: SimRequest, path: string): SimResponse {
    const match = /^\/([^/]+)\/(oauth2\/v2\.0\/authorize|oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(path);
    if (!match) return { status: 404, json: { error: 'not_found', error_description: `No identity endpoint at ${path}` } };
    const [, tenant = '', endpoint] = match;
    if (!this.knownTenant(tenant)) {
      const message = `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`;
      return endpoint === 'oauth2/v2.0/token' ? this.error(400, 'invalid_request', AADSTS.tenantNotFound, message) : aadErrorPage(AADSTS.tenantNotFound, message);
    }
    if (endpoint === 'oauth2/v2.0/authorize' && request.method === 'GET') return this.authorize(request);
    if (endpoint === 'oauth2/v2.0/token' && request.method === 'POST') return this.token(request);
    if (endpoint === 'v2.0/.well-known/openid-configuration' && request.method === 'GET') return { status: 200, json: this.minter.discovery(tenant) };
    if (endpoint === 'discovery/v2.0/keys' && request.method === 'GET') return { status: 200, json: { keys: [this.minter.publicJwk()] } };
    return { status: 405, json: { error: 'invalid_request', error_description: `${request.method} is not supported here.` } };
  }

  /** Validates a Graph `Authorization` header; throws 401 `InvalidAuthenticationToken` like Graph. */
  authenticate(authorization: string | undefined): AuthContext {
    const challenge = { 'WWW-Authenticate': `Bearer realm="", authorization_uri="${this.options.loginUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` };
    const token = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!token) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
    const grant = this.accessTokens.get(token);
    if (!grant) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', challenge);
    if (this.nowMs >= grant.expiresAtMs) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', challenge);
    const user = this.store.findUser(grant.userId);
    if (!user) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token validation failure.', challenge);
    return { user, clientId: grant.clientId, scopes: new Set(grant.scopes.map((s) => s.toLowerCase())) };
  }

  /** Tokens for `user` without the browser (tests and sandbox seeding); `offline_access` adds a refresh token. */
  issueTokens(user: SimUser, scope: string, clientId = this.options.clientId ?? 'simulator-client'): Record<string, unknown> {
    return this.tokenResponse(user, normalizeScopes(scope), clientId, null, randomUUID());
  }

  /** Existing refresh tokens (of one user, or all) fail from now on with this AADSTS code. */
  failTokenRefresh(aadsts: number, userId?: string): number {
    let count = 0;
    for (const grant of this.refreshTokens.values()) {
      if (grant.state !== 'active' || (userId && grant.userId !== userId)) continue;
      grant.state = 'revoked';
      grant.failure = aadsts;
      count++;
    }
    return count;
  }

  expireAccessTokens(userId?: string): number {
    let count = 0;
    for (const grant of this.accessTokens.values()) {
      if (userId && grant.userId !== userId) continue;
      grant.expiresAtMs = Math.min(grant.expiresAtMs, this.nowMs);
      count++;
    }
    return count;
  }

  denyNextAuthorization(count = 1): void {
    this.denyNext += count;
  }

  private knownTenant(tenant: string): boolean {
    return ['common', 'organizations'].includes(tenant.toLowerCase()) || tenant.toLowerCase() === this.options.tenantId.toLowerCase();
  }

  private error(status: number, error: string, code: number, message: string): SimResponse {
    return aadError(status, error, code, message, this.options.loginUrl);
  }

  private authorize(request: SimRequest): SimResponse {
    const q = request.query;
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    if (!clientId || (this.options.clientId && clientId !== this.options.clientId)) {
      return aadErrorPage(AADSTS.appNotFound, `Application with identifier '${clientId ?? ''}' was not found in the directory.`);
    }
    if (!redirectUri || (this.options.redirectUris && !this.options.redirectUris.includes(redirectUri))) {
      return aadErrorPage(AADSTS.replyUrlNotRegistered, `The redirect URI '${redirectUri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`);
    }
    const state = q.get('state');
    const redirect = (params: Record<string, string>): SimResponse => {
      const target = new URL(redirectUri);
      for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
      if (state !== null) target.searchParams.set('state', state);
      return { status: 302, headers: { Location: target.toString() }, text: '' };
    };
    const fail = (error: string, code: number, message: string) => redirect({ error, error_description: `AADSTS${code}: ${message}` });
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', AADSTS.malformed, "The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'.");
    const scope = q.get('scope');
    if (!scope) return fail('invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'scope'.");
    const challenge = q.get('code_challenge');
    if (!challenge) return fail('invalid_request', AADSTS.pkceRequired, 'Proof Key for Code Exchange is required for this authorization code request.');
    if ((q.get('code_challenge_method') ?? 'plain') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return fail('invalid_request', AADSTS.pkceMismatch, "The code_challenge must be an S256 challenge (code_challenge_method 'S256').");
    }
    if (this.denyNext > 0) {
      this.denyNext--;
      return redirect({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.' });
    }
    const user = this.signInUser(q.get('login_hint'));
    if (!user) return fail('interaction_required', AADSTS.malformed, 'No simulator user to sign in: set autoConsentUser or pass login_hint.');
    const code = `1.A${randomBytes(48).toString('base64url')}`;
    this.codes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      scopes: normalizeScopes(scope),
      userId: user.id,
      nonce: q.get('nonce'),
      expiresAtMs: this.nowMs + CODE_LIFETIME_MS,
      redeemed: false,
    });
    return redirect({ code, session_state: randomUUID() });
  }

  private signInUser(loginHint: string | null): SimUser | undefined {
    if (loginHint) return this.store.findUser(loginHint);
    if (this.consentUser) return this.store.findUser(this.consentUser);
    const users = this.store.users();
    return users.length === 1 ? users[0] : undefined;
  }

  private clientOf(request: SimRequest, form: URLSearchParams): { clientId: string } | SimResponse {
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (!clientId) return this.error(400, 'invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'client_id'.");
    if (this.options.clientId && clientId !== this.options.clientId) {
      return this.error(400, 'unauthorized_client', AADSTS.appNotFound, `Application with identifier '${clientId}' was not found in the directory '${this.options.tenantId}'.`);
    }
    if (this.options.clientSecret !== undefined) {
      if (!secret) return this.error(401, 'invalid_client', AADSTS.missingSecret, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      if (secret !== this.options.clientSecret) return this.error(401, 'invalid_client', AADSTS.invalidSecret, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    return { clientId };
  }

  private token(request: SimRequest): SimResponse {
    const form = formBody(request);
    const client = this.clientOf(request, form);
    if ('status' in client) return client;
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.redeemCode(form, client.clientId);
    if (grantType === 'refresh_token') return this.redeemRefreshToken(form, client.clientId);
    if (!grantType) return this.error(400, 'invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'grant_type'.");
    return this.error(400, 'unsupported_grant_type', AADSTS.unsupportedGrant, `The provided grant_type '${grantType}' is not supported.`);
  }

  private redeemCode(form: URLSearchParams, clientId: string): SimResponse {
    const code = form.get('code');
    if (!code) return this.error(400, 'invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'code'.");
    const grant = this.codes.get(code);
    if (!grant || grant.clientId !== clientId) return this.error(400, 'invalid_grant', AADSTS.invalidGrant, "The provided value for the 'code' parameter is not valid.");
    if (grant.redeemed) return this.error(400, 'invalid_grant', AADSTS.codeRedeemed, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
    if (this.nowMs >= grant.expiresAtMs) return this.error(400, 'invalid_grant', AADSTS.codeExpired, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
    const redirectUri = form.get('redirect_uri');
    if (redirectUri !== grant.redirectUri) {
      return this.error(400, 'invalid_grant', AADSTS.replyMismatch, `The reply address '${redirectUri ?? ''}' does not match the reply address '${grant.redirectUri}' provided when requesting Authorization code.`);
    }
    const verifier = form.get('code_verifier');
    if (!verifier) return this.error(400, 'invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'code_verifier'.");
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge) {
      return this.error(400, 'invalid_grant', AADSTS.pkceMismatch, 'The code_verifier does not match the code_challenge supplied in the authorization request.');
    }
    grant.redeemed = true;
    const user = this.store.findUser(grant.userId);
    if (!user) return this.error(400, 'invalid_grant', AADSTS.invalidGrant, 'The user of this code no longer exists.');
    return { status: 200, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }, json: this.tokenResponse(user, grant.scopes, clientId, grant.nonce, randomUUID()) };
  }

  private redeemRefreshToken(form: URLSearchParams, clientId: string): SimResponse {
    const token = form.get('refresh_token');
    if (!token) return this.error(400, 'invalid_request', AADSTS.missingParameter, "The request body must contain the following parameter: 'refresh_token'.");
    const grant = this.refreshTokens.get(token);
    if (!grant) return this.error(400, 'invalid_grant', AADSTS.malformed, 'Invalid request. Request is malformed or invalid: the refresh token is not valid.');
    const issuedAt = new Date(grant.issuedAtMs).toISOString();
    if (grant.clientId !== clientId) return this.error(400, 'invalid_grant', AADSTS.invalidGrant, 'The refresh token was issued to a different client.');
    if (grant.state === 'rotated') {
      if (this.options.revokeFamilyOnReuse) this.revokeFamily(grant.familyId);
      return this.error(400, 'invalid_grant', AADSTS.invalidGrant, "The provided value for 'refresh_token' is not valid: it was already redeemed and replaced by a new refresh token (refresh tokens rotate on every use).");
    }
    if (grant.state === 'revoked') {
      const code = grant.failure ?? AADSTS.revoked;
      const message = REFRESH_FAILURE_MESSAGES[code]?.(issuedAt) ?? 'The refresh token is not valid.';
      return this.error(400, 'invalid_grant', code, message);
    }
    if (this.nowMs - grant.lastUsedMs > this.options.refreshTokenInactivityMs) {
      grant.state = 'revoked';
      grant.failure = AADSTS.inactivity;
      return this.error(400, 'invalid_grant', AADSTS.inactivity, REFRESH_FAILURE_MESSAGES[AADSTS.inactivity]!(issuedAt));
    }
    let scopes = grant.scopes;
    const requested = form.get('scope');
    if (requested) {
      const asked = normalizeScopes(requested);
      const missing = asked.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()) && !grant.scopes.some((g) => g.toLowerCase() === s.toLowerCase()));
      if (missing.length > 0) return this.error(400, 'invalid_grant', AADSTS.consentRequired, `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.`);
      scopes = asked.filter((s) => s.toLowerCase() !== 'offline_access').concat('offline_access');
    }
    const user = this.store.findUser(grant.userId);
    if (!user) return this.error(400, 'invalid_grant', AADSTS.invalidGrant, 'The user of this grant no longer exists.');
    grant.state = 'rotated';
    return { status: 200, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }, json: this.tokenResponse(user, scopes, clientId, null, grant.familyId) };
  }

  private revokeFamily(familyId: string): void {
    for (const grant of this.refreshTokens.values()) {
      if (grant.familyId === familyId && grant.state === 'active') {
        grant.state = 'revoked';
        grant.failure = AADSTS.revoked;
      }
    }
  }

  private tokenResponse(user: SimUser, scopes: string[], clientId: string, nonce: string | null, familyId: string): Record<string, unknown> {
    const nowMs = this.nowMs;
    const lifetime = this.options.accessTokenLifetimeSeconds;
    const graph = graphScopes(scopes);
    const accessToken = this.minter.accessToken(user, graph, clientId, nowMs, lifetime);
    this.accessTokens.set(accessToken, { userId: user.id, clientId, scopes: graph, expiresAtMs: nowMs + lifetime * 1000 });
    const lower = new Set(scopes.map((s) => s.toLowerCase()));
    const oidc = ['openid', 'profile', 'email'].filter((s) => lower.has(s));
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...oidc, ...graph.map((s) => GRAPH_PREFIX + s)].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    };
    // Only `offline_access` earns a refresh token (item 41).
    if (lower.has('offline_access')) {
      const refreshToken = `0.A${randomBytes(96).toString('base64url')}`;
      this.refreshTokens.set(refreshToken, { userId: user.id, clientId, scopes, familyId, issuedAtMs: nowMs, lastUsedMs: nowMs, state: 'active', failure: null });
      body.refresh_token = refreshToken;
    }
    if (lower.has('openid') || this.options.idTokenAlways) body.id_token = this.minter.idToken(user, clientId, nonce, lower.has('email'), this.options.idTokenIssuer);
    return body;
  }
}
