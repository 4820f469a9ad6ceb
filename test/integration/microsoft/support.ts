import { randomBytes } from 'node:crypto';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { Connection } from '../../../shared/domain/connection.ts';
import { stableId } from '../../../shared/domain/ids.ts';
import type { Clock } from '../../../shared/ports/clock.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import type { ProviderSecretValues } from '../../../shared/ports/provider-secrets.ts';
import { createGraphProvider, type GraphProviderOverrides } from '../../../shared/providers/microsoft/index.ts';
import type { ProviderContext } from '../../../shared/providers/provider-registry.ts';
import { ensureSimulatorCa, startGraphSimulator, trustSimulatorCa, type GraphSimulator, type GraphSimulatorOptions } from '../../simulators/microsoft/index.ts';
import { createTestStores, testCalendar, testConnection, type TestStores } from '../../support/stores.ts';

export const CLIENT_ID = 'test-graph-client';
export const CLIENT_SECRET = 'test-graph-secret';

/** The CA of the global setup (NODE_EXTRA_CA_CERTS); trusted in-process as well, for files run on their own. */
export function graphCa() {
  const ca = ensureSimulatorCa('.data/simulator-ca');
  trustSimulatorCa(ca.caCert);
  return ca;
}

export async function startSimulator(options: Partial<GraphSimulatorOptions> = {}): Promise<GraphSimulator> {
  return startGraphSimulator({ tls: graphCa(), clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, deliverNotifications: 'manual', ...options });
}

/** The runtime's view of providers, pointed at the simulator. */
export function providerContext(sim: GraphSimulator, stores: TestStores, clock: Clock): ProviderContext {
  const secrets: ProviderSecretValues = { microsoft: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } };
  return {
    connections: stores.connections,
    clock,
    log: silentLog,
    secrets: { get: async () => secrets, invalidate: () => {} },
    settings: {
      GOOGLE_OAUTH_AUTHORIZE_URL: 'https://accounts.invalid/auth',
      GOOGLE_OAUTH_TOKEN_URL: 'https://accounts.invalid/token',
      GOOGLE_OAUTH_REVOKE_URL: 'https://accounts.invalid/revoke',
      GOOGLE_USERINFO_URL: 'https://accounts.invalid/userinfo',
      GOOGLE_API_URL: 'https://accounts.invalid/',
      MICROSOFT_LOGIN_URL: sim.endpoints.loginUrl,
      MICROSOFT_GRAPH_URL: sim.endpoints.graphUrl,
      MICROSOFT_TENANT: 'common',
      isLocal: true,
    },
  };
}

export interface ConnectedMailbox {
  connection: Connection;
  calendar: Calendar;
  /** The simulator's id of the mailbox's default calendar. */
  simCalendarId: string;
  userMail: string;
}

/**
 * A simulator user connected as a Microsoft connection of `tenantId`: tokens issued by the simulator (with a
 * rotating refresh token) stored as the connection's credentials, and its default calendar in the store.
 */
export async function connectMailbox(sim: GraphSimulator, stores: TestStores, clock: Clock, tenantId: string, options: { mail?: string; accessTokenValidMs?: number; onlineMeetingProviders?: string[] } = {}): Promise<ConnectedMailbox> {
  const userMail = options.mail ?? `user-${randomBytes(4).toString('hex')}@contoso.test`;
  const user = sim.addUser({ mail: userMail, ...(options.onlineMeetingProviders ? { onlineMeetingProviders: options.onlineMeetingProviders } : {}) });
  const tokens = sim.issueTokens(user.id, { clientId: CLIENT_ID });
  const connection = testConnection(tenantId, { provider: 'microsoft', accountId: user.id, accountEmail: userMail, id: stableId('con', tenantId, 'microsoft', user.id) });
  await stores.connections.save(connection, {
    kind: 'oauth',
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresAt: clock.now().getTime() + (options.accessTokenValidMs ?? 3_000_000),
    scope: tokens.scope,
  });
  const calendar = testCalendar(connection, { providerCalendarId: user.defaultCalendarId, timeZone: 'UTC' });
  await stores.calendars.put(calendar, null);
  return { connection, calendar, simCalendarId: user.defaultCalendarId, userMail };
}

export async function graphProviderFor(sim: GraphSimulator, stores: TestStores, clock: Clock, connection: Connection, overrides: GraphProviderOverrides = {}) {
  return createGraphProvider(connection, providerContext(sim, stores, clock), overrides);
}

export { createTestStores };
