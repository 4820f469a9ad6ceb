import * as oauth from 'oauth4webapi';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { Clock } from '../../ports/clock.ts';
import type { AccountIdentity, AuthorizationUrlRequest, OAuthClient, TokenSet } from '../../ports/oauth-client.ts';
import type { ClientCredentials } from '../../ports/provider-secrets.ts';
import { withoutIdToken } from '../oauth/token-response.ts';
import { retryAfterMsOf } from './graph-errors.ts';

/** Minimal scopes (providers.md B41): `offline_access` is what earns a refresh token. */
export const MICROSOFT_SCOPES = 'offline_access Calendars.ReadWrite User.Read';

export interface MicrosoftOAuthSettings {
  /** Authority base, e.g. `https://login.microsoftonline.com`; `/{tenant}/oauth2/v2.0/...` follows. */
  loginUrl: string;
  /** `common`, `organizations`, `consumers` or a tenant id. */
  tenant: string;
  /** Graph origin, for `GET /v1.0/me`. */
  graphUrl: string;
  credentials: ClientCredentials;
  clock: Clock;
  /** Plain-http endpoints are accepted only in the local stack. */
  isLocal: boolean;
  /** Called when the token endpoint rejects our client credentials (the secret may have been rotated). */
  onClientRejected?: () => void;
  timeoutMs?: number;
}

/** AADSTS codes that come with `invalid_grant` when the grant itself is dead (reconnect needed). */
const DEAD_GRANT_ERRORS = new Set(['invalid_grant', 'interaction_required', 'consent_required']);

/**
 * The Microsoft identity platform v2 through oauth4webapi, configured without discovery (the multi-tenant
 * discovery document's issuer holds a literal `{tenantid}`, and we need no ID token: identity comes from
 * Graph's `/me`; an ID token in a token answer is dropped unread, so Entra's tenant-specific `iss` behind the
 * `common` authority, or an emulator's own issuer, never fails a grant). Authorization code with PKCE S256; every refresh returns a rotated refresh token, which
 * the AccessTokenSource stores with a conditional write.
 */
export class MicrosoftOAuthClient implements OAuthClient {
  readonly provider = 'microsoft' as const;
  private readonly settings: MicrosoftOAuthSettings;
  private readonly server: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly insecure: boolean;

  constructor(settings: MicrosoftOAuthSettings) {
    this.settings = settings;
    const authority = `${settings.loginUrl.replace(/\/$/, '')}/${encodeURIComponent(settings.tenant)}`;
    this.server = {
      issuer: `${authority}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
    };
    this.client = { client_id: settings.credentials.clientId };
    this.auth = oauth.ClientSecretPost(settings.credentials.clientSecret);
    this.insecure = settings.isLocal && new URL(settings.loginUrl).protocol === 'http:';
  }

  authorizationUrl(request: AuthorizationUrlRequest): string {
    const url = new URL(this.server.authorization_endpoint!);
    url.searchParams.set('client_id', this.client.client_id);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('response_mode', 'query');
    url.searchParams.set('scope', MICROSOFT_SCOPES);
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('prompt', 'select_account');
    if (request.loginHint) url.searchParams.set('login_hint', request.loginHint);
    return url.toString();
  }

  private requestOptions(): oauth.TokenEndpointRequestOptions {
    return {
      signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      additionalParameters: { scope: MICROSOFT_SCOPES },
      ...(this.insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }

  async exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet> {
    return this.tokenCall(async () => {
      // The state was checked (and consumed) by our callback before we get here.
      const params = oauth.validateAuthResponse(this.server, this.client, new URLSearchParams({ code: input.code }), oauth.skipStateCheck);
      const response = await oauth.authorizationCodeGrantRequest(this.server, this.client, this.auth, params, input.redirectUri, input.codeVerifier, this.requestOptions());
      return oauth.processAuthorizationCodeResponse(this.server, this.client, await withoutIdToken(response));
    });
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenCall(async () => {
      const response = await oauth.refreshTokenGrantRequest(this.server, this.client, this.auth, refreshToken, this.requestOptions());
      return oauth.processRefreshTokenResponse(this.server, this.client, await withoutIdToken(response));
    });
  }

  async identity(accessToken: string): Promise<AccountIdentity> {
    const url = `${new URL(this.settings.graphUrl).origin}/v1.0/me`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' }, signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new AppError('provider.unavailable', `Microsoft Graph /me failed: ${String(error)}`, { retryable: true, cause: error });
    }
    if (response.status === 401) throw new AppError('provider.auth_revoked', 'Microsoft Graph rejected the new access token', { retryable: false });
    if (!response.ok) throw new AppError('provider.unavailable', `Microsoft Graph /me answered ${response.status}`, { retryable: response.status >= 500 || response.status === 429 });
    const me = (await response.json()) as { id?: string; mail?: string | null; userPrincipalName?: string | null; displayName?: string | null };
    if (!me.id) throw new AppError('provider.unavailable', 'Microsoft Graph /me returned no id', { retryable: false });
    return { accountId: me.id, email: me.mail || me.userPrincipalName || null, displayName: me.displayName || null };
  }

  /** Microsoft has no revocation endpoint for v2 refresh tokens: disconnecting deletes our copy only. */
  async revoke(): Promise<void> {}

  private async tokenCall(call: () => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    let tokens: oauth.TokenEndpointResponse;
    try {
      tokens = await call();
    } catch (error) {
      throw this.translate(error);
    }
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? null,
      expiresAt: this.settings.clock.now().getTime() + (tokens.expires_in ?? 3_600) * 1000,
      scope: tokens.scope ?? null,
    };
  }

  private translate(error: unknown): AppError {
    if (isAppError(error)) return error;
    if (error instanceof oauth.ResponseBodyError) {
      const codes = Array.isArray(error.cause.error_codes) ? error.cause.error_codes.join(',') : '';
      const message = `Microsoft identity platform: ${error.error}${codes ? ` (AADSTS${codes})` : ''}`;
      const details = { oauthError: error.error, aadsts: codes || null };
      if (DEAD_GRANT_ERRORS.has(error.error)) return new AppError('provider.auth_revoked', message, { retryable: false, details, cause: error });
      if (error.error === 'invalid_client' || error.error === 'unauthorized_client') {
        this.settings.onClientRejected?.();
        return new AppError('provider.input_invalid', `${message}: check MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET`, { retryable: false, details, cause: error });
      }
      if (error.status === 429) {
        return new AppError('provider.rate_limited', message, { retryable: true, retryAfterMs: retryAfterMsOf(error.response.headers.get('retry-after')) ?? 30_000, details, cause: error });
      }
      if (error.status >= 500) return new AppError('provider.unavailable', message, { retryable: true, details, cause: error });
      return new AppError('provider.input_invalid', message, { retryable: false, details, cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('provider.unavailable', `Microsoft identity platform request failed: ${message}`, { retryable: true, cause: error });
  }
}
