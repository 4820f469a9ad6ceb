import { AppError } from '../../domain/app-error.ts';
import type { BasicCredentials } from '../../domain/connection.ts';
import type { OutboundPolicy } from '../../net/outbound-url.ts';
import type { CalendarProvider, ProviderCalendar } from '../../ports/calendar-provider.ts';
import type { Log } from '../../ports/log.ts';
import { silentLog } from '../../ports/log.ts';
import type { ConnectionRef, ProviderContext } from '../provider-registry.ts';
import { CaldavCalendarProvider } from './caldav-calendar-provider.ts';
import { CaldavClient } from './caldav-client.ts';
import { discoverAccount, listCalendarCollections } from './caldav-discovery.ts';
import { createCaldavFetch, type CaldavFetch } from './caldav-fetch.ts';

/** Budget of one request during a sync (a multiget of 100 objects included). */
export const CALDAV_REQUEST_TIMEOUT_MS = 30_000;
/** Budget of one request while connecting: a user waits on the answer. */
export const CALDAV_CONNECT_TIMEOUT_MS = 10_000;

/** Outbound rules for user-supplied CalDAV URLs: https and public addresses in AWS; http and loopback too locally. */
export function caldavOutboundPolicy(isLocal: boolean): OutboundPolicy {
  return { allowHttp: isLocal, allowLoopback: isLocal };
}

const fetches = new Map<string, CaldavFetch>();

/** One pinned fetch (with its keep-alive agents) per policy and timeout, for the life of the process. */
function sharedFetch(policy: OutboundPolicy, timeoutMs: number): CaldavFetch {
  const key = `${policy.allowHttp}/${policy.allowLoopback}/${timeoutMs}`;
  let fetch = fetches.get(key);
  if (!fetch) {
    fetch = createCaldavFetch({ policy, timeoutMs });
    fetches.set(key, fetch);
  }
  return fetch;
}

export interface CaldavProviderSetup {
  serverUrl: string;
  credentials: BasicCredentials;
  /** The account's e-mail, when known (attendees with it are `self`). */
  accountEmail?: string | null;
  policy: OutboundPolicy;
  log?: Log;
  /** Override the transport (tests route through a fault proxy or count requests). */
  fetch?: CaldavFetch;
  timeoutMs?: number;
  readRetries?: number;
  multigetBatch?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A CalDAV provider for a server URL and Basic credentials (the runtime's `createProvider` and tests use it). */
export function createCaldavProvider(setup: CaldavProviderSetup): CaldavCalendarProvider {
  const client = new CaldavClient({
    fetch: setup.fetch ?? sharedFetch(setup.policy, setup.timeoutMs ?? CALDAV_REQUEST_TIMEOUT_MS),
    username: setup.credentials.username,
    password: setup.credentials.password,
    ...(setup.readRetries !== undefined ? { readRetries: setup.readRetries } : {}),
    ...(setup.sleep ? { sleep: setup.sleep } : {}),
  });
  const selfAddresses = [setup.credentials.username, setup.accountEmail].filter((a): a is string => Boolean(a));
  return new CaldavCalendarProvider({
    client,
    serverUrl: setup.serverUrl,
    selfAddresses,
    log: setup.log ?? silentLog,
    ...(setup.multigetBatch ? { multigetBatch: setup.multigetBatch } : {}),
  });
}

/** The runtime entry (ProviderModule): Basic credentials from the connection store, sealed at rest. */
export async function createProvider(connection: ConnectionRef, context: ProviderContext): Promise<CalendarProvider> {
  if (!connection.serverUrl) throw new AppError('config.invalid', `CalDAV connection ${connection.id} has no server URL`, { retryable: false });
  const [stored, record] = await Promise.all([context.connections.getCredentials(connection.tenantId, connection.id), context.connections.get(connection.tenantId, connection.id)]);
  if (stored?.credentials.kind !== 'basic') {
    throw new AppError('provider.auth_revoked', 'The CalDAV connection has no user name and password stored; connect it again', { retryable: false });
  }
  return createCaldavProvider({
    serverUrl: connection.serverUrl,
    credentials: stored.credentials,
    accountEmail: record?.accountEmail ?? null,
    policy: caldavOutboundPolicy(context.settings.isLocal),
    log: context.log,
  });
}

export interface CaldavAccountProbeResult {
  principalUrl: string;
  emails: string[];
  displayName: string | null;
  calendars: ProviderCalendar[];
}

/**
 * Validates a server URL and credentials by discovery, before anything is stored: principal, home and the
 * calendars in it (the connect use-case's `CaldavProbe`). Errors are the provider's (`auth_revoked` for
 * refused credentials, `input_invalid` with `reason: not_caldav`, `unavailable` for unreachable servers);
 * the use-case words them for users.
 */
export async function probeCaldavAccount(serverUrl: string, credentials: BasicCredentials, options: { isLocal: boolean; fetch?: CaldavFetch }): Promise<CaldavAccountProbeResult> {
  const client = new CaldavClient({
    fetch: options.fetch ?? sharedFetch(caldavOutboundPolicy(options.isLocal), CALDAV_CONNECT_TIMEOUT_MS),
    username: credentials.username,
    password: credentials.password,
    readRetries: 0,
  });
  const account = await discoverAccount(client, serverUrl);
  const calendars = await listCalendarCollections(client, account.homeUrl);
  return { principalUrl: account.principalUrl, emails: account.emails, displayName: account.displayName, calendars };
}
