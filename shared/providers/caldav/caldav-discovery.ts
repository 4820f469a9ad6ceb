import type { DAVResponse } from 'tsdav';
import { AppError } from '../../domain/app-error.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import type { ProviderCalendar } from '../../ports/calendar-provider.ts';
import type { CaldavClient } from './caldav-client.ts';
import { translateCaldavFailure } from './caldav-errors.ts';
import { childNames, componentNames, hrefPath, propHref, propHrefs, propText } from './dav-values.ts';

/** What discovery learns about an account (providers.md C43). */
export interface CaldavAccount {
  /** Absolute URL of the principal: the account's stable id. */
  principalUrl: string;
  /** Absolute URL of the calendar home (may be on another host than the server URL, as on iCloud). */
  homeUrl: string;
  /** The principal's e-mail addresses (calendar-user-address-set `mailto:`), used to recognise "self". */
  emails: string[];
  displayName: string | null;
}

const MAX_REDIRECTS = 3;
const PRINCIPAL_PROPS = { 'd:current-user-principal': {}, 'c:calendar-home-set': {}, 'd:resourcetype': {} };
const HOME_PROPS = { 'c:calendar-home-set': {}, 'c:calendar-user-address-set': {}, 'd:displayname': {} };
const CALENDAR_PROPS = {
  'd:resourcetype': {},
  'd:displayname': {},
  'cs:getctag': {},
  'd:sync-token': {},
  'c:supported-calendar-component-set': {},
  'c:calendar-description': {},
  'c:calendar-timezone': {},
  'c:calendar-timezone-id': {},
  'ca:calendar-color': {},
  'd:current-user-privilege-set': {},
};

function notCaldav(serverUrl: string, why: string): AppError {
  return new AppError('provider.input_invalid', `${serverUrl} is not a CalDAV server (${why})`, { retryable: false, details: { reason: 'not_caldav' } });
}

function firstProps(responses: readonly DAVResponse[]): Record<string, unknown> {
  return (responses.find((r) => r.href && r.props)?.props ?? {}) as Record<string, unknown>;
}

/**
 * Finds the principal: PROPFIND `current-user-principal` on the URL the user gave, then on
 * `/.well-known/caldav` (RFC 6764), following at most three redirects ourselves so every hop passes the
 * outbound policy. A server that answers neither is not a CalDAV server.
 */
async function findPrincipal(client: CaldavClient, serverUrl: string): Promise<{ principalUrl: string; homeHref: string | null }> {
  const candidates = [serverUrl, new URL('/.well-known/caldav', serverUrl).href];
  let lastStatus: number | null = null;
  for (const start of candidates) {
    let url = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const answer = await client.probe(url, '0', PRINCIPAL_PROPS);
      lastStatus = answer.status;
      if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
        throw translateCaldavFailure({ status: answer.status, retryAfter: answer.headers.get('retry-after'), body: answer.body }, 'discovery');
      }
      const location = answer.headers.get('location');
      if (answer.status >= 300 && answer.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      if (answer.status === 207) {
        const props = firstProps(answer.responses);
        const principal = propHref(props.currentUserPrincipal);
        if (principal) return { principalUrl: new URL(principal, url).href, homeHref: propHref(props.calendarHomeSet) };
        const home = propHref(props.calendarHomeSet);
        if (home) return { principalUrl: url, homeHref: new URL(home, url).href };
      }
      break;
    }
  }
  throw notCaldav(serverUrl, lastStatus === 207 ? 'no current-user-principal' : `PROPFIND answered ${lastStatus}`);
}

/** Principal → calendar home (providers.md C43). */
export async function discoverAccount(client: CaldavClient, serverUrl: string): Promise<CaldavAccount> {
  const { principalUrl } = await findPrincipal(client, serverUrl);
  const responses = await client.propfind(principalUrl, '0', HOME_PROPS, 'principal PROPFIND');
  const props = firstProps(responses);
  const home = propHref(props.calendarHomeSet);
  if (!home) throw notCaldav(serverUrl, 'the principal has no calendar-home-set');
  const emails = propHrefs(props.calendarUserAddressSet)
    .filter((href) => /^mailto:/i.test(href))
    .map((href) => decodeURIComponent(href.slice(7)).toLowerCase());
  return { principalUrl, homeUrl: new URL(home, principalUrl).href, emails: [...new Set(emails)], displayName: propText(props.displayname) };
}

function zoneOf(props: Record<string, unknown>): string | null {
  const id = propText(props.calendarTimezoneId);
  if (id) return resolveTimeZoneName(id);
  const vtimezone = propText(props.calendarTimezone);
  const tzid = vtimezone ? /^TZID:(.+)$/im.exec(vtimezone)?.[1]?.trim() : undefined;
  return tzid ? resolveTimeZoneName(tzid) : null;
}

function colorOf(props: Record<string, unknown>): string | null {
  const color = propText(props.calendarColor);
  if (!color) return null;
  return /^#[0-9a-f]{8}$/i.test(color) ? color.slice(0, 7) : color;
}

function isReadOnly(props: Record<string, unknown>): boolean {
  const set = props.currentUserPrivilegeSet as { privilege?: unknown } | undefined;
  if (!set || typeof set !== 'object') return false;
  const privileges = (Array.isArray(set.privilege) ? set.privilege : [set.privilege]).flatMap(childNames);
  return !privileges.some((name) => name === 'all' || name === 'write' || name === 'writeContent' || name === 'bind');
}

/**
 * The calendars in the home (PROPFIND depth 1). Only collections whose resourcetype says `calendar` are
 * listed; those whose supported-calendar-component-set lacks VEVENT (a VTODO-only list) are listed with
 * `supportsEvents: false` (absent set = every component, RFC 4791 §5.2.3). CalDAV has no "primary":
 * the first event calendar by URL is marked as such, so the choice is stable.
 */
export async function listCalendarCollections(client: CaldavClient, homeUrl: string): Promise<ProviderCalendar[]> {
  const responses = await client.propfind(homeUrl, '1', CALENDAR_PROPS, 'calendar home PROPFIND');
  const calendars: ProviderCalendar[] = [];
  for (const response of responses) {
    if (!response.href || !response.props) continue;
    const props = response.props as Record<string, unknown>;
    if (!childNames(props.resourcetype).includes('calendar')) continue;
    const url = new URL(response.href, homeUrl).href;
    const components = componentNames(props.supportedCalendarComponentSet);
    const path = hrefPath(url, url);
    calendars.push({
      providerCalendarId: url,
      name: propText(props.displayname) ?? decodeURIComponent(path.replace(/\/+$/, '').split('/').pop() ?? path),
      description: propText(props.calendarDescription),
      timeZone: zoneOf(props),
      color: colorOf(props),
      isPrimary: false,
      readOnly: isReadOnly(props),
      supportsEvents: components === null || components.includes('VEVENT'),
    });
  }
  calendars.sort((a, b) => (a.providerCalendarId < b.providerCalendarId ? -1 : a.providerCalendarId > b.providerCalendarId ? 1 : 0));
  const primary = calendars.find((c) => c.supportsEvents);
  if (primary) primary.isPrimary = true;
  return calendars;
}

/** The ctag of one collection (the fallback change check when sync-collection is missing, providers.md C44). */
export async function readCtag(client: CaldavClient, collectionUrl: string): Promise<string | null> {
  const responses = await client.propfind(collectionUrl, '0', { 'cs:getctag': {} }, 'ctag PROPFIND');
  return propText(firstProps(responses).getctag);
}

/** Every member of a collection with its etag (PROPFIND depth 1): the fallback full listing. */
export async function listMembers(client: CaldavClient, collectionUrl: string): Promise<{ ctag: string | null; hrefs: string[] }> {
  const responses = await client.propfind(collectionUrl, '1', { 'd:getetag': {}, 'cs:getctag': {}, 'd:resourcetype': {} }, 'members PROPFIND');
  const collectionPath = hrefPath(collectionUrl, collectionUrl).replace(/\/+$/, '');
  let ctag: string | null = null;
  const hrefs: string[] = [];
  for (const response of responses) {
    if (!response.href) continue;
    const path = hrefPath(response.href, collectionUrl);
    if (path.replace(/\/+$/, '') === collectionPath) {
      ctag = propText(response.props?.getctag);
      continue;
    }
    if (path.endsWith('/') || childNames(response.props?.resourcetype).includes('collection')) continue;
    hrefs.push(path);
  }
  return { ctag, hrefs };
}
