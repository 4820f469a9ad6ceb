import { AppError, inputError, isAppError } from '../../domain/app-error.ts';
import type { Connection, OAuthProviderKind } from '../../domain/connection.ts';
import type { Clock } from '../../ports/clock.ts';
import type { OAuthClientFactory } from '../../ports/oauth-client.ts';
import type { OAuthStateStore } from '../../ports/oauth-state-store.ts';
import { registerConnection, type RegisterConnectionDeps } from './register-connection.ts';

export interface CompleteAuthorizationDeps extends RegisterConnectionDeps {
  oauthStates: OAuthStateStore;
  oauthClients: OAuthClientFactory;
  clock: Clock;
}

export interface CallbackInput {
  provider: OAuthProviderKind;
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
}

export type CallbackOutcome =
  | { status: 'connected'; connection: Connection; created: boolean; calendars: number; returnUrl: string | null }
  | { status: 'denied'; error: string; returnUrl: string | null };

/**
 * The provider's redirect back to us. The state is consumed first (once: a replayed callback, even with a
 * valid code, fails here and creates nothing), must belong to this provider (mix-up defence), and carries
 * the tenant, the PKCE verifier and where to send the browser afterwards.
 */
export async function completeAuthorization(deps: CompleteAuthorizationDeps, input: CallbackInput): Promise<CallbackOutcome> {
  if (!input.state) throw inputError('query.state', 'state is required');
  const state = await deps.oauthStates.consume(input.state, deps.clock.now());
  if (!state) throw inputError('query.state', 'state is unknown, expired or already used; start the connection again');
  if (state.provider !== input.provider) throw inputError('query.state', 'state was issued for another provider');
  if (input.error) return { status: 'denied', error: input.error, returnUrl: state.returnUrl };
  if (!input.code) throw inputError('query.code', 'code is required');

  const client = await deps.oauthClients.forProvider(input.provider);
  let tokens;
  try {
    tokens = await client.exchangeCode({ code: input.code, codeVerifier: state.codeVerifier, redirectUri: state.redirectUri });
  } catch (error) {
    if (isAppError(error, 'provider.auth_revoked') || isAppError(error, 'provider.input_invalid')) {
      throw new AppError('input.invalid', 'The authorization code was rejected (expired, already used, or not issued for this request)', { details: { field: 'query.code' }, cause: error });
    }
    throw error;
  }
  const identity = await client.identity(tokens.accessToken);
  const { connection, created, calendars } = await registerConnection(
    deps,
    { tenantId: state.tenantId, provider: input.provider, accountId: identity.accountId, accountEmail: identity.email, displayName: identity.displayName, serverUrl: null },
    { kind: 'oauth', accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, scope: tokens.scope },
  );
  return { status: 'connected', connection, created, calendars: calendars.length, returnUrl: state.returnUrl };
}
