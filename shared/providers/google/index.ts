import { AppError } from '../../domain/app-error.ts';
import type { CalendarProvider } from '../../ports/calendar-provider.ts';
import type { OAuthClient } from '../../ports/oauth-client.ts';
import { AccessTokenSource } from '../oauth/access-token-source.ts';
import type { ConnectionRef, ProviderContext } from '../provider-registry.ts';
import { GoogleCalendarProvider } from './google-calendar-provider.ts';
import { GoogleOAuthClient } from './google-oauth-client.ts';

/** Token sources per connection, kept for the life of a warm Lambda so tokens are reused across invocations. */
const tokenSources = new Map<string, AccessTokenSource>();

export async function createOAuthClient(context: ProviderContext): Promise<OAuthClient> {
  const credentials = (await context.secrets.get()).google;
  if (!credentials) throw new AppError('provider.unavailable', 'Google is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (or the provider credentials secret)', { retryable: false });
  const s = context.settings;
  const insecure = [s.GOOGLE_OAUTH_AUTHORIZE_URL, s.GOOGLE_OAUTH_TOKEN_URL, s.GOOGLE_OAUTH_REVOKE_URL, s.GOOGLE_USERINFO_URL].some((url) => url.startsWith('http:'));
  return new GoogleOAuthClient(
    { authorizeUrl: s.GOOGLE_OAUTH_AUTHORIZE_URL, tokenUrl: s.GOOGLE_OAUTH_TOKEN_URL, revokeUrl: s.GOOGLE_OAUTH_REVOKE_URL, userinfoUrl: s.GOOGLE_USERINFO_URL, ...(s.GOOGLE_OAUTH_ISSUER ? { issuer: s.GOOGLE_OAUTH_ISSUER } : {}), allowInsecure: insecure && s.isLocal },
    credentials,
  );
}

export interface GoogleProviderOverrides {
  requestTimeoutMs?: number;
}

export async function createProvider(connection: ConnectionRef, context: ProviderContext, overrides: GoogleProviderOverrides = {}): Promise<CalendarProvider> {
  const key = `${connection.tenantId}/${connection.id}`;
  let tokens = tokenSources.get(key);
  if (!tokens) {
    const client = await createOAuthClient(context);
    tokens = new AccessTokenSource({ connections: context.connections, client, clock: context.clock, tenantId: connection.tenantId, connectionId: connection.id, integrationLog: context.integrationLog, log: context.log });
    if (tokenSources.size > 1_000) tokenSources.clear();
    tokenSources.set(key, tokens);
  }
  return new GoogleCalendarProvider({ tokens, rootUrl: context.settings.GOOGLE_API_URL, log: context.log, ...(overrides.requestTimeoutMs ? { requestTimeoutMs: overrides.requestTimeoutMs } : {}) });
}
