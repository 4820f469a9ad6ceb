import type { CalendarProvider } from '../../shared/ports/calendar-provider.ts';
import { silentLog } from '../../shared/ports/log.ts';
import { createOAuthClient, createProvider, type GoogleProviderOverrides } from '../../shared/providers/google/index.ts';
import type { ProviderContext } from '../../shared/providers/provider-registry.ts';
import { loadConfig } from '../../shared/runtime/config.ts';
import type { GoogleSimulator } from '../simulators/google/index.ts';
import type { TestStores } from './stores.ts';
import { testConnection } from './stores.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import { systemClock } from '../../shared/ports/clock.ts';

/** A ProviderContext whose Google settings point at the simulator. */
export function googleContext(simulator: GoogleSimulator, stores: TestStores, clock: Clock = systemClock): ProviderContext {
  const settings = loadConfig({
    RUNTIME_MODE: 'local',
    GOOGLE_OAUTH_AUTHORIZE_URL: simulator.endpoints.authorizeUrl,
    GOOGLE_OAUTH_TOKEN_URL: simulator.endpoints.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: simulator.endpoints.revokeUrl,
    GOOGLE_USERINFO_URL: simulator.endpoints.userinfoUrl,
    GOOGLE_API_URL: simulator.endpoints.apiRootUrl,
  });
  const secrets = { google: { clientId: simulator.clientId, clientSecret: simulator.clientSecret } };
  return { connections: stores.connections, clock, log: silentLog, secrets: { get: async () => secrets, invalidate: () => {} }, settings };
}

/** Connects `email` (tokens straight from the simulator) and returns our Google provider for it. */
export async function connectGoogleUser(
  simulator: GoogleSimulator,
  stores: TestStores,
  email: string,
  tenantId = 'acme',
  clock?: Clock,
  scope?: string,
  overrides: GoogleProviderOverrides = {},
): Promise<{ provider: CalendarProvider; connectionId: string; context: ProviderContext }> {
  const tokens = simulator.issueTokens(email, scope);
  const connection = testConnection(tenantId, { accountId: email, accountEmail: email });
  await stores.connections.save(connection, { kind: 'oauth', accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000, scope: tokens.scope });
  const context = googleContext(simulator, stores, clock);
  await createOAuthClient(context);
  const provider = await createProvider({ tenantId, id: connection.id, provider: 'google', serverUrl: null }, context, overrides);
  return { provider, connectionId: connection.id, context };
}
