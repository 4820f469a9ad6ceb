import { AppError } from '../../../domain/app-error.ts';
import type { Clock } from '../../../ports/clock.ts';
import { readZoomFailure, zoomUnreachable } from './zoom-errors.ts';

/** Where the Zoom adapter gets its bearer token; `invalidate` after a 401 forces a new one. */
export interface ZoomAccessTokens {
  token(): Promise<string>;
  invalidate(): void;
}

export interface S2SCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
}

/** Renew this long before Zoom's one-hour token expires, so no request goes out with a dying token. */
export const ZOOM_TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
const TIMEOUT_MS = 10_000;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** `{ZOOM_OAUTH_URL}/oauth/token` (the setting is Zoom's OAuth origin, `https://zoom.us`). */
export function zoomTokenUrl(oauthUrl: string): string {
  return `${oauthUrl.replace(/\/+$/, '')}/oauth/token`;
}

/**
 * One `account_credentials` grant (providers.md item 52). Wrong credentials answer 400/401 → a
 * `video.auth_failed` naming the fields, which connect turns into a 400.
 */
export async function requestS2SToken(oauthUrl: string, credentials: S2SCredentials, nowMs: number): Promise<{ accessToken: string; expiresAtMs: number }> {
  const url = `${zoomTokenUrl(oauthUrl)}?grant_type=account_credentials&account_id=${encodeURIComponent(credentials.accountId)}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { authorization: basic(credentials.clientId, credentials.clientSecret) }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw zoomUnreachable(error);
  }
  if (!response.ok) {
    const failure = await readZoomFailure(response);
    if (failure.status >= 500 || failure.status === 429) throw new AppError('video.unavailable', `Zoom token endpoint: HTTP ${failure.status}`, { retryable: true });
    throw new AppError('video.auth_failed', `Zoom refused the Server-to-Server credentials: ${failure.message}`, {
      retryable: false,
      details: { errors: [{ field: 'body.accountId', message: 'not accepted by Zoom with this client' }, { field: 'body.clientSecret', message: 'not accepted by Zoom with this client id' }] },
    });
  }
  const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string') throw new AppError('video.unavailable', 'Zoom token endpoint answered without a token', { retryable: true });
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return { accessToken: body.access_token, expiresAtMs: nowMs + expiresIn * 1000 };
}

/**
 * Server-to-Server tokens, cached until shortly before they expire; concurrent callers share one
 * request. Zoom issues no refresh token here: a new grant is the renewal.
 */
export class ZoomS2STokens implements ZoomAccessTokens {
  #cached: { accessToken: string; expiresAtMs: number } | null = null;
  #inFlight: Promise<string> | null = null;
  readonly #oauthUrl: string;
  readonly #credentials: S2SCredentials;
  readonly #clock: Clock;
  /** How many grants were requested (the contract suite checks the cache). */
  grants = 0;

  constructor(oauthUrl: string, credentials: S2SCredentials, clock: Clock) {
    this.#oauthUrl = oauthUrl;
    this.#credentials = credentials;
    this.#clock = clock;
  }

  token(): Promise<string> {
    const now = this.#clock.now().getTime();
    if (this.#cached && this.#cached.expiresAtMs - ZOOM_TOKEN_RENEW_BEFORE_MS > now) return Promise.resolve(this.#cached.accessToken);
    this.#inFlight ??= (async () => {
      try {
        this.grants += 1;
        this.#cached = await requestS2SToken(this.#oauthUrl, this.#credentials, now);
        return this.#cached.accessToken;
      } finally {
        this.#inFlight = null;
      }
    })();
    return this.#inFlight;
  }

  invalidate(): void {
    this.#cached = null;
  }
}

export interface StoredZoomUserToken {
  accessToken: string;
  refreshToken: string;
  expiresAtMs: number;
}

/** How user-level tokens are kept: read, and written conditionally (a rotated refresh token must not be lost). */
export interface ZoomUserTokenVault {
  read(): Promise<{ token: StoredZoomUserToken; version: number }>;
  /** Throws `storage.conflict` when another worker rotated first. */
  write(token: StoredZoomUserToken, expectedVersion: number): Promise<void>;
}

export interface ZoomUserApp {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The authorization-code and refresh grants of the user-level app (PKCE; refresh tokens rotate). */
export async function zoomUserGrant(app: ZoomUserApp, form: Record<string, string>, nowMs: number): Promise<StoredZoomUserToken> {
  let response: Response;
  try {
    response = await fetch(zoomTokenUrl(app.oauthUrl), {
      method: 'POST',
      headers: { authorization: basic(app.clientId, app.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw zoomUnreachable(error);
  }
  if (!response.ok) {
    const failure = await readZoomFailure(response);
    if (failure.status >= 500) throw new AppError('video.unavailable', `Zoom token endpoint: HTTP ${failure.status}`, { retryable: true });
    throw new AppError('video.auth_failed', `Zoom refused the grant: ${failure.message}`, { retryable: false });
  }
  const body = (await response.json()) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') throw new AppError('video.unavailable', 'Zoom token endpoint answered without tokens', { retryable: true });
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAtMs: nowMs + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000 };
}

/**
 * `POST {ZOOM_OAUTH_URL}/oauth/revoke` with the app's Basic auth and `token=`: Zoom ends the whole grant
 * (every access and refresh token of it) and answers 200 `{"status":"success"}`.
 */
export async function revokeZoomUserToken(app: ZoomUserApp, token: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${app.oauthUrl.replace(/\/+$/, '')}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic(app.clientId, app.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw zoomUnreachable(error);
  }
  if (!response.ok) {
    const failure = await readZoomFailure(response);
    if (failure.status >= 500 || failure.status === 429) throw new AppError('video.unavailable', `Zoom revoke endpoint: HTTP ${failure.status}`, { retryable: true, details: { status: failure.status } });
    throw new AppError('video.auth_failed', `Zoom refused to revoke the grant: ${failure.message}`, { retryable: false, details: { status: failure.status } });
  }
  await response.arrayBuffer();
}

/** User-level tokens: refreshed before expiry, the rotated refresh token stored with a conditional write. */
export class ZoomUserTokens implements ZoomAccessTokens {
  readonly #app: ZoomUserApp;
  readonly #vault: ZoomUserTokenVault;
  readonly #clock: Clock;
  #forceRefresh = false;

  constructor(app: ZoomUserApp, vault: ZoomUserTokenVault, clock: Clock) {
    this.#app = app;
    this.#vault = vault;
    this.#clock = clock;
  }

  async token(): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { token, version } = await this.#vault.read();
      const now = this.#clock.now().getTime();
      if (!this.#forceRefresh && token.expiresAtMs - ZOOM_TOKEN_RENEW_BEFORE_MS > now) return token.accessToken;
      const next = await zoomUserGrant(this.#app, { grant_type: 'refresh_token', refresh_token: token.refreshToken }, now);
      try {
        await this.#vault.write(next, version);
        this.#forceRefresh = false;
        return next.accessToken;
      } catch (error) {
        // Someone else rotated at the same time: theirs is stored; read it again.
        if (!(error instanceof AppError && error.code === 'storage.conflict')) throw error;
      }
    }
    throw new AppError('video.unavailable', 'Zoom user token kept changing under us', { retryable: true });
  }

  invalidate(): void {
    this.#forceRefresh = true;
  }
}
