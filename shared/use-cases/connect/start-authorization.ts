import { createHash } from 'node:crypto';
import { inputError } from '../../domain/app-error.ts';
import type { OAuthProviderKind } from '../../domain/connection.ts';
import { randomToken } from '../../domain/ids.ts';
import type { Clock } from '../../ports/clock.ts';
import type { OAuthClientFactory } from '../../ports/oauth-client.ts';
import type { OAuthStateStore } from '../../ports/oauth-state-store.ts';

export interface OAuthSettings {
  publicBaseUrl: string;
  /** Origins the callback may send the browser back to (open-redirect defence). */
  allowedReturnOrigins: readonly string[];
  /** RFC 9700: a short-lived state. */
  stateTtlSeconds: number;
}

export interface StartAuthorizationDeps {
  oauthStates: OAuthStateStore;
  oauthClients: OAuthClientFactory;
  clock: Clock;
  settings: OAuthSettings;
}

/** Each provider has its own exact redirect URI (mix-up defence, RFC 9700 §4.4). */
export function redirectUriOf(publicBaseUrl: string, provider: OAuthProviderKind): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/v1/oauth/${provider}/callback`;
}

export function checkReturnUrl(returnUrl: string, allowedOrigins: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw inputError('body.returnUrl', 'returnUrl must be an absolute URL');
  }
  const allowed = allowedOrigins.some((origin) => {
    try {
      return new URL(origin).origin === url.origin;
    } catch {
      return false;
    }
  });
  if (!allowed || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw inputError('body.returnUrl', `returnUrl must be on an allowed origin (ALLOWED_RETURN_ORIGINS): ${url.origin} is not`);
  }
  return url.toString();
}

/**
 * Starts connecting an account: a one-time `state` and a PKCE verifier are kept server-side for ten minutes;
 * the browser is sent to the provider with the state and the S256 challenge only.
 */
export async function startAuthorization(
  deps: StartAuthorizationDeps,
  input: { tenantId: string; provider: OAuthProviderKind; returnUrl?: string | null; loginHint?: string | null },
): Promise<{ authorizationUrl: string; expiresAt: string }> {
  const returnUrl = input.returnUrl ? checkReturnUrl(input.returnUrl, deps.settings.allowedReturnOrigins) : null;
  const client = await deps.oauthClients.forProvider(input.provider);
  const state = randomToken(32);
  const codeVerifier = randomToken(48);
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const redirectUri = redirectUriOf(deps.settings.publicBaseUrl, input.provider);
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + deps.settings.stateTtlSeconds;
  await deps.oauthStates.put({ state, tenantId: input.tenantId, provider: input.provider, codeVerifier, redirectUri, returnUrl, createdAt: now.toISOString(), expiresAt });
  const authorizationUrl = client.authorizationUrl({ state, codeChallenge, redirectUri, loginHint: input.loginHint ?? null });
  return { authorizationUrl, expiresAt: new Date(expiresAt * 1000).toISOString() };
}
