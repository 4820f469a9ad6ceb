import { AppError } from '../../domain/app-error.ts';
import type { CalendarProvider } from '../../ports/calendar-provider.ts';
import type { OAuthClient } from '../../ports/oauth-client.ts';
import { AccessTokenSource } from '../oauth/access-token-source.ts';
import type { ConnectionRef, ProviderContext } from '../provider-registry.ts';
import { GraphCalendarProvider } from './graph-calendar-provider.ts';
import { createGraphClient } from './graph-client.ts';
import type { ThrottleRetryOptions } from './graph-middleware.ts';
import { MicrosoftOAuthClient } from './microsoft-oauth-client.ts';

export async function createOAuthClient(context: ProviderContext): Promise<MicrosoftOAuthClient> {
  const credentials = (await context.secrets.get()).microsoft;
  if (!credentials) {
    throw new AppError('config.invalid', 'Microsoft is not configured: set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET (or the provider secret)', { retryable: false });
  }
  return new MicrosoftOAuthClient({
    loginUrl: context.settings.MICROSOFT_LOGIN_URL,
    tenant: context.settings.MICROSOFT_TENANT,
    graphUrl: context.settings.MICROSOFT_GRAPH_URL,
    credentials,
    clock: context.clock,
    isLocal: context.settings.isLocal,
    onClientRejected: () => context.secrets.invalidate(),
  });
}

export interface GraphProviderOverrides {
  retry?: Partial<ThrottleRetryOptions>;
  maxPageSize?: number;
  requestTimeoutMs?: number;
}

/**
 * The Graph provider of one connection. Tokens come only from the connection's AccessTokenSource (refresh
 * before expiry, one refresh across workers, rotated refresh tokens stored conditionally); the OAuth client
 * and its app secret are loaded only if a refresh is actually needed.
 */
export async function createGraphProvider(connection: ConnectionRef, context: ProviderContext, overrides: GraphProviderOverrides = {}): Promise<GraphCalendarProvider> {
  let oauthClient: Promise<OAuthClient> | null = null;
  const tokens = new AccessTokenSource({
    connections: context.connections,
    clock: context.clock,
    tenantId: connection.tenantId,
    connectionId: connection.id,
    integrationLog: context.integrationLog,
    log: context.log,
    client: {
      refresh: async (refreshToken) => {
        oauthClient ??= createOAuthClient(context).catch((error: unknown) => {
          oauthClient = null;
          throw error;
        });
        return (await oauthClient).refresh(refreshToken);
      },
    },
  });
  const stored = await context.connections.get(connection.tenantId, connection.id);
  const { client } = createGraphClient({
    graphUrl: context.settings.MICROSOFT_GRAPH_URL,
    auth: { getAccessToken: () => tokens.accessToken(), refreshAfterRejection: (token) => tokens.refreshAfterRejection(token) },
    mailboxKey: `${connection.tenantId}/${connection.id}`,
    ...(overrides.retry ? { retry: overrides.retry } : {}),
    ...(overrides.requestTimeoutMs ? { requestTimeoutMs: overrides.requestTimeoutMs } : {}),
  });
  return new GraphCalendarProvider({ client, clock: context.clock, accountEmail: stored?.accountEmail ?? null, ...(overrides.maxPageSize ? { maxPageSize: overrides.maxPageSize } : {}) });
}

export function createProvider(connection: ConnectionRef, context: ProviderContext): Promise<CalendarProvider> {
  return createGraphProvider(connection, context);
}
