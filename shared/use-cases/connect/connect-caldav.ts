import { AppError, inputError, isAppError } from '../../domain/app-error.ts';
import type { Calendar } from '../../domain/calendar.ts';
import type { BasicCredentials, Connection } from '../../domain/connection.ts';
import { assertOutboundUrlAllowed, type OutboundPolicy, type Resolver } from '../../net/outbound-url.ts';
import type { ProviderCalendar } from '../../ports/calendar-provider.ts';
import { registerConnection, type RegisterConnectionDeps } from './register-connection.ts';

/** The iCloud preset (providers.md C51). */
export const ICLOUD_CALDAV_URL = 'https://caldav.icloud.com/';

export const ICLOUD_APP_PASSWORD_HELP =
  'iCloud accepts only an app-specific password here, not your Apple ID password: create one at appleid.apple.com → Sign-In and Security → App-Specific Passwords (this needs two-factor authentication on the Apple ID), then connect again with it. App-specific passwords stop working when the Apple ID password changes.';

/** What discovery found for a server URL and credentials (the CalDAV adapter's probe, injected). */
export interface CaldavProbeResult {
  /** Absolute principal URL: the connection's accountId. */
  principalUrl: string;
  emails: string[];
  displayName: string | null;
  calendars: ProviderCalendar[];
}

export type CaldavProbe = (serverUrl: string, credentials: BasicCredentials) => Promise<CaldavProbeResult>;

export interface ConnectCaldavDeps extends RegisterConnectionDeps {
  probeCaldav: CaldavProbe;
  /** https + public addresses in AWS; the local stack also allows http and loopback (Radicale on 127.0.0.1). */
  outbound: OutboundPolicy;
  resolver?: Resolver;
}

export interface ConnectCaldavInput {
  tenantId: string;
  serverUrl?: string | undefined;
  preset?: 'icloud' | undefined;
  username: string;
  password: string;
}

function isIcloud(url: URL, preset: string | undefined): boolean {
  return preset === 'icloud' || url.hostname === 'icloud.com' || url.hostname.endsWith('.icloud.com');
}

/** The probe's provider errors, worded for the person connecting (every one a 400 naming the field to fix). */
function explain(error: unknown, url: URL, input: ConnectCaldavInput, urlField: string): AppError {
  if (!isAppError(error, 'provider.')) return error instanceof AppError ? error : new AppError('internal.unexpected', String(error), { cause: error });
  switch (error.code) {
    case 'provider.auth_revoked':
      return new AppError(
        'input.invalid',
        isIcloud(url, input.preset)
          ? `iCloud refused the Apple ID and password. ${ICLOUD_APP_PASSWORD_HELP}`
          : `${url.host} refused the user name and password (HTTP ${String(error.details?.status ?? 401)}). Check both; some servers need an app password instead of the account password.`,
        { details: { field: 'body.password' } },
      );
    case 'provider.input_invalid':
    case 'provider.not_found':
      return inputError(urlField, `${url.href} is not a CalDAV server: it did not answer the CalDAV discovery requests (PROPFIND current-user-principal, also at /.well-known/caldav). Use the CalDAV URL your provider documents.`);
    case 'provider.rate_limited':
      return inputError(urlField, `${url.host} is rate limiting requests; try again in ${Math.ceil((error.retryAfterMs ?? 60_000) / 1000)} seconds.`);
    default:
      return inputError(urlField, `Could not reach a CalDAV server at ${url.href} (${error.message}). Check the URL and that the server is online.`);
  }
}

/**
 * Connects a CalDAV account (iCloud or any CalDAV server) with a user name and password. The URL must pass
 * the outbound policy; the credentials are validated by discovery (principal → home → calendars) BEFORE
 * anything is stored, so a wrong password, an unreachable or non-CalDAV server, or an account without any
 * calendar that can hold events leaves no trace. Then the connection is stored (password sealed like OAuth
 * tokens), its calendars discovered and the first sync queued, exactly as for OAuth providers.
 */
export async function connectCaldav(deps: ConnectCaldavDeps, input: ConnectCaldavInput): Promise<{ connection: Connection; calendars: Calendar[]; created: boolean }> {
  const urlField = input.preset ? 'body.preset' : 'body.serverUrl';
  const raw = input.preset === 'icloud' ? ICLOUD_CALDAV_URL : input.serverUrl;
  if (!raw) throw inputError('body.serverUrl', 'Give exactly one of serverUrl and preset');
  const url = await assertOutboundUrlAllowed(raw, deps.outbound, urlField, deps.resolver);
  const credentials: BasicCredentials = { kind: 'basic', username: input.username, password: input.password };

  let probe: CaldavProbeResult;
  try {
    probe = await deps.probeCaldav(url.href, credentials);
  } catch (error) {
    throw explain(error, url, input, urlField);
  }
  if (!probe.calendars.some((calendar) => calendar.supportsEvents)) {
    const found = probe.calendars.length ? ` (found only: ${probe.calendars.map((c) => c.name).join(', ')}, which hold tasks or journals)` : '';
    throw inputError(urlField, `The account at ${url.href} has no calendar that can hold events${found}. Create a calendar for events first.`);
  }

  return registerConnection(
    deps,
    {
      tenantId: input.tenantId,
      provider: 'caldav',
      accountId: probe.principalUrl,
      accountEmail: probe.emails[0] ?? (input.username.includes('@') ? input.username.toLowerCase() : null),
      displayName: probe.displayName ?? input.username,
      serverUrl: url.href,
    },
    credentials,
  );
}
