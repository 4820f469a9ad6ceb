import * as oauth from 'oauth4webapi';
import { AppError } from '../../domain/app-error.ts';
import type { ClientCredentials } from '../../ports/provider-secrets.ts';
import type { AccountIdentity, AuthorizationUrlRequest, OAuthClient, TokenSet } from '../../ports/oauth-client.ts';
import { withoutIdToken } from '../oauth/token-response.ts';

/**
 * The fewest scopes that do the job: identity, the calendar list, events (read, write, watch), and free/busy
 * (`freeBusy.query` accepts none of the others; it answers free/busy outside the mirrored window).
 */
export const GOOGLE_SCOPES = [
  'openid',
  'email',
  'https://www.googleapis.com/auth/calendar.calendarlist.readonly',
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.events.freebusy',
];

export interface GoogleEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
  /** The authorization server's issuer identifier (GOOGLE_OAUTH_ISSUER); default Google's. */
  issuer?: string;
  /** Plain-http endpoints are accepted only here (a simulator on loopback). */
  allowInsecure: boolean;
}

/** Reads an OAuth error body without keeping anything else of the response. */
async function oauthErrorOf(error: unknown): Promise<{ status: number | null; code: string | null }> {
  if (error instanceof oauth.ResponseBodyError) return { status: error.status, code: error.error };
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) return { status: error.cause.status, code: null };
  return { status: null, code: null };
}

/**
 * Google's OAuth 2.0 (web server flow with PKCE S256, offline access, consent prompt) through
 * `oauth4webapi`. Every URL comes from configuration, so a simulator can stand in; the account identity
 * comes from the userinfo endpoint, not from trusting an ID token issuer: an ID token in a token answer is
 * dropped unread (see withoutIdToken), so its `iss` can never fail a connect or a refresh.
 */
export class GoogleOAuthClient implements OAuthClient {
  readonly provider = 'google' as const;
  private readonly server: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;
  private readonly requestOptions: { [oauth.allowInsecureRequests]?: boolean };

  constructor(endpoints: GoogleEndpoints, credentials: ClientCredentials) {
    this.server = {
      issuer: endpoints.issuer ?? 'https://accounts.google.com',
      authorization_endpoint: endpoints.authorizeUrl,
      token_endpoint: endpoints.tokenUrl,
      revocation_endpoint: endpoints.revokeUrl,
      userinfo_endpoint: endpoints.userinfoUrl,
    };
    this.client = { client_id: credentials.clientId };
    this.auth = oauth.ClientSecretPost(credentials.clientSecret);
    this.requestOptions = endpoints.allowInsecure ? { [oauth.allowInsecureRequests]: true } : {};
  }

  authorizationUrl(request: AuthorizationUrlRequest): string {
    const url = new URL(this.server.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.client.client_id,
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: GOOGLE_SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(request.loginHint ? { login_hint: request.loginHint } : {}),
    }).toString();
    return url.toString();
  }

  async exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet> {
    // The state was checked (and consumed) by us before we get here.
    const parameters = oauth.validateAuthResponse(this.server, this.client, new URLSearchParams({ code: input.code }), oauth.skipStateCheck);
    return this.tokenCall('authorization code exchange', async () => {
      const response = await oauth.authorizationCodeGrantRequest(this.server, this.client, this.auth, parameters, input.redirectUri, input.codeVerifier, this.requestOptions);
      return oauth.processAuthorizationCodeResponse(this.server, this.client, await withoutIdToken(response), { requireIdToken: false });
    });
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenCall('token refresh', async () => {
      const response = await oauth.refreshTokenGrantRequest(this.server, this.client, this.auth, refreshToken, this.requestOptions);
      return oauth.processRefreshTokenResponse(this.server, this.client, await withoutIdToken(response));
    });
  }

  async identity(accessToken: string): Promise<AccountIdentity> {
    let response: Response;
    try {
      response = await oauth.userInfoRequest(this.server, this.client, accessToken, this.requestOptions);
    } catch (error) {
      throw new AppError('provider.unavailable', 'Google userinfo request failed', { retryable: true, cause: error });
    }
    if (!response.ok) throw new AppError(response.status === 401 ? 'provider.auth_revoked' : 'provider.unavailable', `Google userinfo answered ${response.status}`, { retryable: response.status >= 500 });
    const claims = (await response.json()) as { sub?: unknown; email?: unknown; name?: unknown };
    if (typeof claims.sub !== 'string' || !claims.sub) throw new AppError('provider.unavailable', 'Google userinfo has no subject', { retryable: false });
    return { accountId: claims.sub, email: typeof claims.email === 'string' ? claims.email : null, displayName: typeof claims.name === 'string' ? claims.name : null };
  }

  async revoke(token: string): Promise<void> {
    try {
      await oauth.revocationRequest(this.server, this.client, this.auth, token, this.requestOptions);
    } catch {
      // Best effort: a revoke that fails leaves a grant the user can remove in their Google account.
    }
  }

  private async tokenCall(what: string, call: () => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    let result: oauth.TokenEndpointResponse;
    try {
      result = await call();
    } catch (error) {
      const { status, code } = await oauthErrorOf(error);
      // invalid_grant is final (revoked, expired, 6 months unused, testing-mode expiry): never retried.
      if (code === 'invalid_grant') throw new AppError('provider.auth_revoked', `Google ${what}: invalid_grant`, { retryable: false, cause: error });
      if (code === 'invalid_client' || code === 'unauthorized_client') throw new AppError('config.invalid', `Google ${what}: ${code} (check GOOGLE_CLIENT_ID/SECRET)`, { retryable: false, cause: error });
      if (status !== null && status < 500 && code) throw new AppError('provider.input_invalid', `Google ${what}: ${code}`, { retryable: false, cause: error });
      throw new AppError('provider.unavailable', `Google ${what} failed`, { retryable: true, cause: error });
    }
    return {
      accessToken: result.access_token,
      refreshToken: result.refresh_token ?? null,
      expiresAt: Date.now() + (result.expires_in ?? 3600) * 1000,
      scope: result.scope ?? null,
    };
  }
}
