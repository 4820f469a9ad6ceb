import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { googleErrors } from './errors.ts';
import { bearerToken, formBody, header, OAuthError, type SimRequest, type SimResponse } from './http-types.ts';
import { accessTokenHash, IdTokenSigner } from './id-token.ts';
import { consentPage, errorPage } from './oauth-pages.ts';
import type { SimStore } from './store.ts';
import type { SimUser } from './types.ts';

/**
 * Google's OAuth 2.0 web-server flow (providers.md items 22–24): authorize with PKCE, single-use codes bound
 * to client and redirect URI, refresh tokens only on the first offline consent or with `prompt=consent`,
 * refreshes that never return a new refresh token, `invalid_grant` for dead grants, revocation, userinfo,
 * and ID tokens when `openid` is asked for.
 */
export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; null accepts any (handy for tests on random ports). */
  redirectUris: string[] | null;
  accessTokenTtlSeconds: number;
  issuer: string;
  autoConsentUser: string | null;
  /** Google keeps at most this many refresh tokens per user and client; older ones stop working. */
  maxRefreshTokensPerGrant: number;
}

const SCOPE_ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

interface Grant {
  email: string;
  clientId: string;
  scopes: Set<string>;
  /** Refresh tokens in issue order. */
  refreshTokens: string[];
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  challenge: string | null;
  challengeMethod: 'S256' | 'plain';
  nonce: string | null;
  issueRefreshToken: boolean;
  expiresAtMs: number;
}

export interface AccessGrant {
  email: string;
  scopes: Set<string>;
  clientId: string;
}

interface AccessTokenRecord extends AccessGrant {
  expiresAtMs: number;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresIn: number;
  scope: string;
  idToken: string | null;
}

type RefreshFailure = { error: string; remaining: number };

export class OAuthServer {
  private readonly store: SimStore;
  readonly options: OAuthOptions;
  private readonly signer = new IdTokenSigner();
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshIndex = new Map<string, string>();
  private readonly deadRefreshTokens = new Set<string>();
  private refreshFailure: RefreshFailure | null = null;
  private denyConsents = 0;

  constructor(store: SimStore, options: OAuthOptions) {
    this.store = store;
    this.options = options;
  }

  // ---- test controls ----

  setAccessTokenTtl(seconds: number): void {
    this.options.accessTokenTtlSeconds = seconds;
  }

  /** The next `count` authorizations end with `error=access_denied` (the user clicked "Cancel"). */
  denyNextConsent(count = 1): void {
    this.denyConsents += count;
  }

  /**
   * `invalid_grant` without `count`: every refresh token alive now (of `email`, or of everyone) dies for good,
   * as when a Testing-mode grant expires. With `count`, or for other errors, only the next `count` refreshes fail.
   */
  failTokenRefresh(error: string, options: { count?: number; email?: string } = {}): void {
    if (error === 'invalid_grant' && options.count === undefined) {
      for (const [token, grantKey] of this.refreshIndex) {
        if (!options.email || this.grants.get(grantKey)?.email === options.email.toLowerCase()) this.deadRefreshTokens.add(token);
      }
      return;
    }
    this.refreshFailure = { error, remaining: options.count ?? 1 };
  }

  /** The user removes the app's access: refresh → `invalid_grant`, access tokens → 401. */
  revokeUser(email: string): void {
    const address = email.toLowerCase();
    for (const [key, grant] of this.grants) if (grant.email === address) this.dropGrant(key);
    for (const [token, record] of this.accessTokens) if (record.email === address) this.accessTokens.delete(token);
  }

  /** Tokens for a user without the browser dance (tests that only need a bearer token). */
  issueTokens(email: string, scope: string): TokenSet {
    const user = this.store.requireUser(email);
    const scopes = normalizeScopes(scope);
    const grant = this.grantFor(user.email, this.options.clientId, scopes, false);
    return this.mintTokens(user, grant, scopes, true, null);
  }

  // ---- API side ----

  /** Resolves a bearer token for the Calendar API; 401 `authError` when unknown, expired or revoked. */
  authenticate(request: SimRequest): AccessGrant {
    const token = bearerToken(request);
    const record = token ? this.accessTokens.get(token) : undefined;
    if (!record || record.expiresAtMs <= this.store.nowMs()) throw googleErrors.authError();
    return record;
  }

  // ---- endpoints ----

  authorize(request: SimRequest): SimResponse {
    const query = request.url.searchParams;
    const clientId = query.get('client_id');
    if (clientId !== this.options.clientId) return errorPage(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = query.get('redirect_uri');
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return errorPage(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (this.options.redirectUris && !this.options.redirectUris.includes(redirectUri)) {
      return errorPage(400, 'redirect_uri_mismatch', `The redirect URI in the request, ${redirectUri}, does not match the ones authorized for the OAuth client.`);
    }
    const state = query.get('state');
    const fail = (error: string, description: string): SimResponse => redirect(redirectUri, { error, error_description: description, state });
    if (query.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
    const scopeText = query.get('scope');
    if (!scopeText) return fail('invalid_request', 'Missing required parameter: scope');
    const scopes = normalizeScopes(scopeText);
    if (scopes.some((scope) => scope !== 'openid' && !scope.startsWith('https://www.googleapis.com/auth/'))) return fail('invalid_scope', `Some requested scopes were invalid.`);
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method') ?? 'plain';
    if (challenge !== null && method !== 'S256' && method !== 'plain') return fail('invalid_request', 'Invalid code_challenge_method.');

    const hinted = query.get('login_hint');
    const email = hinted && this.store.users.has(hinted.toLowerCase()) ? hinted.toLowerCase() : this.options.autoConsentUser;
    if (!email) return consentPage(request.url, [...this.store.users.values()].map((user) => user.email));
    if (this.denyConsents > 0) {
      this.denyConsents -= 1;
      return fail('access_denied', 'The user denied access.');
    }
    const user = this.store.requireUser(email);
    const offline = query.get('access_type') === 'offline';
    const grantKey = `${user.email}|${clientId}`;
    const previous = this.grants.get(grantKey);
    const granted = query.get('include_granted_scopes') === 'true' && previous ? [...new Set([...previous.scopes, ...scopes])] : scopes;
    const promptConsent = (query.get('prompt') ?? '').split(' ').includes('consent');
    const code = `4/0${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      clientId,
      redirectUri,
      email: user.email,
      scopes: granted,
      challenge,
      challengeMethod: method === 'S256' ? 'S256' : 'plain',
      nonce: query.get('nonce'),
      issueRefreshToken: offline && (promptConsent || !previous || previous.refreshTokens.length === 0),
      expiresAtMs: this.store.nowMs() + 10 * 60_000,
    });
    return redirect(redirectUri, { code, state, scope: granted.join(' '), authuser: '0', prompt: 'consent' });
  }

  token(request: SimRequest): SimResponse {
    const form = formBody(request);
    const clientId = this.authenticateClient(request, form);
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(form, clientId);
    if (grantType === 'refresh_token') return this.refresh(form, clientId);
    if (!grantType) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: grant_type');
    throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  revoke(request: SimRequest): SimResponse {
    const token = formBody(request).get('token') ?? request.url.searchParams.get('token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    const grantKey = this.refreshIndex.get(token);
    const access = this.accessTokens.get(token);
    if (!grantKey && !access) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    // Revoking either token of a grant ends the whole grant, as Google does.
    const key = grantKey ?? `${access?.email}|${access?.clientId}`;
    const grant = this.grants.get(key);
    if (grant) for (const [t, record] of this.accessTokens) if (record.email === grant.email && record.clientId === grant.clientId) this.accessTokens.delete(t);
    this.accessTokens.delete(token);
    this.dropGrant(key);
    return { status: 200, body: {} };
  }

  userinfo(request: SimRequest): SimResponse {
    const token = bearerToken(request);
    const record = token ? this.accessTokens.get(token) : undefined;
    const challenge = { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' };
    if (!record || record.expiresAtMs <= this.store.nowMs()) throw new OAuthError(401, 'invalid_request', 'Invalid Credentials', challenge);
    const hasEmail = record.scopes.has(SCOPE_ALIASES.email as string);
    if (!hasEmail && !record.scopes.has('openid')) throw new OAuthError(401, 'invalid_request', 'Request is missing required authentication credential.', challenge);
    return { status: 200, body: this.profileClaims(this.store.requireUser(record.email), record.scopes) };
  }

  tokenInfo(request: SimRequest): SimResponse {
    const token = request.url.searchParams.get('access_token') ?? formBody(request).get('access_token');
    const record = token ? this.accessTokens.get(token) : undefined;
    if (!record || record.expiresAtMs <= this.store.nowMs()) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
    const expiresIn = Math.floor((record.expiresAtMs - this.store.nowMs()) / 1000);
    return { status: 200, body: { azp: record.clientId, aud: record.clientId, sub: this.store.requireUser(record.email).sub, scope: [...record.scopes].join(' '), exp: String(Math.floor(record.expiresAtMs / 1000)), expires_in: String(expiresIn), email: record.email, email_verified: 'true', access_type: 'offline' } };
  }

  jwks(): SimResponse {
    return { status: 200, body: this.signer.jwks() };
  }

  discovery(endpoints: { authorizeUrl: string; tokenUrl: string; revokeUrl: string; userinfoUrl: string; jwksUrl: string }): SimResponse {
    return {
      status: 200,
      body: {
        issuer: this.options.issuer,
        authorization_endpoint: endpoints.authorizeUrl,
        token_endpoint: endpoints.tokenUrl,
        userinfo_endpoint: endpoints.userinfoUrl,
        revocation_endpoint: endpoints.revokeUrl,
        jwks_uri: endpoints.jwksUrl,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'email', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        code_challenge_methods_supported: ['plain', 'S256'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
      },
    };
  }

  // ---- internals ----

  private authenticateClient(request: SimRequest, form: URLSearchParams): string {
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const authorization = header(request, 'authorization');
    if (authorization?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const cut = decoded.indexOf(':');
      const unescape = (text: string): string => decodeURIComponent(text.replace(/\+/g, ' '));
      clientId = unescape(decoded.slice(0, cut));
      secret = unescape(decoded.slice(cut + 1));
    }
    if (clientId !== this.options.clientId || secret === null || !safeEqual(secret, this.options.clientSecret)) {
      throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    }
    return clientId;
  }

  private exchangeCode(form: URLSearchParams, clientId: string): SimResponse {
    const codeText = form.get('code');
    if (!codeText) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const code = this.codes.get(codeText);
    if (!code || code.expiresAtMs <= this.store.nowMs()) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    if (code.clientId !== clientId) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (form.get('redirect_uri') !== code.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.challenge !== null) {
      const verifier = form.get('code_verifier');
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
      const computed = code.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!safeEqual(computed, code.challenge)) throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    this.codes.delete(codeText); // single use
    const user = this.store.requireUser(code.email);
    const grant = this.grantFor(user.email, code.clientId, code.scopes, true);
    const tokens = this.mintTokens(user, grant, code.scopes, code.issueRefreshToken, code.nonce);
    return { status: 200, body: tokenBody(tokens), headers: { 'cache-control': 'no-store' } };
  }

  private refresh(form: URLSearchParams, clientId: string): SimResponse {
    const token = form.get('refresh_token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    if (this.refreshFailure && this.refreshFailure.remaining > 0) {
      this.refreshFailure.remaining -= 1;
      const { error } = this.refreshFailure;
      const status = { invalid_grant: 400, invalid_client: 401, server_error: 500, temporarily_unavailable: 503 }[error] ?? 400;
      throw new OAuthError(status, error, error === 'invalid_grant' ? 'Token has been expired or revoked.' : 'Simulated failure');
    }
    const grantKey = this.refreshIndex.get(token);
    const grant = grantKey ? this.grants.get(grantKey) : undefined;
    if (!grant || this.deadRefreshTokens.has(token)) throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    if (clientId !== grant.clientId) throw new OAuthError(400, 'unauthorized_client', 'Unauthorized');
    const scope = form.get('scope');
    const scopes = scope ? normalizeScopes(scope).filter((s) => grant.scopes.has(s)) : [...grant.scopes];
    const tokens = this.mintTokens(this.store.requireUser(grant.email), grant, scopes, false, null);
    return { status: 200, body: tokenBody(tokens), headers: { 'cache-control': 'no-store' } };
  }

  private grantFor(email: string, clientId: string, scopes: string[], replaceScopes: boolean): Grant {
    const key = `${email}|${clientId}`;
    let grant = this.grants.get(key);
    if (!grant) this.grants.set(key, (grant = { email, clientId, scopes: new Set(scopes), refreshTokens: [] }));
    else if (replaceScopes) grant.scopes = new Set(scopes);
    else for (const scope of scopes) grant.scopes.add(scope);
    return grant;
  }

  private dropGrant(key: string): void {
    const grant = this.grants.get(key);
    if (!grant) return;
    for (const token of grant.refreshTokens) this.refreshIndex.delete(token);
    this.grants.delete(key);
  }

  private mintTokens(user: SimUser, grant: Grant, scopes: string[], withRefreshToken: boolean, nonce: string | null): TokenSet {
    const accessToken = `ya29.${randomBytes(32).toString('base64url')}`;
    const ttl = this.options.accessTokenTtlSeconds;
    const nowMs = this.store.nowMs();
    this.accessTokens.set(accessToken, { email: user.email, clientId: grant.clientId, scopes: new Set(scopes), expiresAtMs: nowMs + ttl * 1000 });
    let refreshToken: string | null = null;
    if (withRefreshToken) {
      refreshToken = `1//0${randomBytes(32).toString('base64url')}`;
      grant.refreshTokens.push(refreshToken);
      this.refreshIndex.set(refreshToken, `${grant.email}|${grant.clientId}`);
      while (grant.refreshTokens.length > this.options.maxRefreshTokensPerGrant) this.refreshIndex.delete(grant.refreshTokens.shift() as string);
    }
    const idToken = scopes.includes('openid')
      ? this.signer.sign({
          iss: this.options.issuer,
          azp: grant.clientId,
          aud: grant.clientId,
          sub: user.sub,
          at_hash: accessTokenHash(accessToken),
          iat: Math.floor(nowMs / 1000),
          exp: Math.floor(nowMs / 1000) + 3600,
          ...(nonce ? { nonce } : {}),
          ...this.profileClaims(user, new Set(scopes)),
        })
      : null;
    return { accessToken, refreshToken, expiresIn: ttl, scope: scopes.join(' '), idToken };
  }

  private profileClaims(user: SimUser, scopes: Set<string>): Record<string, unknown> {
    const claims: Record<string, unknown> = { sub: user.sub, picture: `https://lh3.googleusercontent.com/a/${user.sub}` };
    if (scopes.has(SCOPE_ALIASES.email as string)) Object.assign(claims, { email: user.email, email_verified: true });
    if (scopes.has(SCOPE_ALIASES.profile as string)) Object.assign(claims, { name: user.name, given_name: user.name.split(' ')[0] });
    return claims;
  }
}

/** Google answers with full scope URLs: `email` → `…/auth/userinfo.email`, `profile` → `…/auth/userinfo.profile`. */
export function normalizeScopes(scope: string): string[] {
  return [...new Set(scope.split(/\s+/).filter(Boolean).map((s) => SCOPE_ALIASES[s] ?? s))];
}

function tokenBody(tokens: TokenSet): Record<string, unknown> {
  return {
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
    scope: tokens.scope,
    token_type: 'Bearer',
    ...(tokens.idToken ? { id_token: tokens.idToken } : {}),
  };
}

function redirect(target: string, params: Record<string, string | null>): SimResponse {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.toString() }, body: '' };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
