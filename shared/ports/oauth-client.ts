import type { OAuthProviderKind } from '../domain/connection.ts';

export interface TokenSet {
  accessToken: string;
  /** Null when the provider did not issue (Google refresh) or rotate one: keep the previous. */
  refreshToken: string | null;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  scope: string | null;
}

export interface AccountIdentity {
  /** Stable provider id of the account (Google `sub`, Graph user id). */
  accountId: string;
  email: string | null;
  displayName: string | null;
}

export interface AuthorizationUrlRequest {
  state: string;
  /** PKCE S256 challenge of the verifier kept server-side. */
  codeChallenge: string;
  redirectUri: string;
  loginHint?: string | null;
}

/**
 * OAuth 2.0 with one provider (authorization code + PKCE S256, refresh, identity), per RFC 9700. Adapters
 * throw `provider.auth_revoked` (never retried) for `invalid_grant`, and other `provider.*` codes otherwise.
 *
 * @example
 *   const url = client.authorizationUrl({ state, codeChallenge, redirectUri });
 *   const tokens = await client.exchangeCode({ code, codeVerifier, redirectUri });
 */
export interface OAuthClient {
  readonly provider: OAuthProviderKind;
  authorizationUrl(request: AuthorizationUrlRequest): string;
  exchangeCode(input: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  identity(accessToken: string): Promise<AccountIdentity>;
  /** Best effort; providers without a revoke endpoint do nothing. */
  revoke(token: string): Promise<void>;
}

export interface OAuthClientFactory {
  forProvider(provider: OAuthProviderKind): Promise<OAuthClient>;
}
