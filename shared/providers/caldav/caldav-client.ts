import { createObject, davRequest, deleteObject, propfind, syncCollection, updateObject, type DAVResponse } from 'tsdav';
import { AppError } from '../../domain/app-error.ts';
import type { CaldavFetch } from './caldav-fetch.ts';
import { translateCaldavFailure, translateCaldavThrown } from './caldav-errors.ts';
import { hrefPath, propText } from './dav-values.ts';
import { backoffDelayMs } from '../../../shared/domain/backoff.ts';

export interface CaldavClientOptions {
  fetch: CaldavFetch;
  username: string;
  password: string;
  /** Quick retries of a failed read (5xx, no answer) before the error goes to the caller's own backoff. */
  readRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** One member of a sync-collection answer. */
export interface SyncMember {
  href: string;
  etag: string | null;
}

export interface SyncReport {
  token: string;
  changed: SyncMember[];
  removed: string[];
  /** 507 on the request URI: the server sent part of the changes; ask again from `token` (RFC 6578 §3.6). */
  truncated: boolean;
}

export interface CalendarResource {
  href: string;
  etag: string | null;
  data: string;
}

export interface MultigetResult {
  found: CalendarResource[];
  /** Members the server answered 404 for (deleted since they were listed). */
  missing: string[];
}

interface Exchange<T> {
  value: T;
  status: number;
  headers: Headers;
  body: string;
}

const NS = { 'xmlns:d': 'DAV:', 'xmlns:c': 'urn:ietf:params:xml:ns:caldav', 'xmlns:cs': 'http://calendarserver.org/ns/', 'xmlns:ca': 'http://apple.com/ns/ical/' };
const ICS = 'text/calendar; charset=utf-8';

/** Status codes at the HTTP level that mean "the server answered the DAV request". */
const MULTISTATUS_OK = new Set([200, 207]);

/**
 * The CalDAV wire protocol as our provider needs it, on tsdav's request builders and multistatus parser,
 * with every answer's HTTP status checked here (tsdav hands non-2xx answers back as data; its smart sync
 * even hides a 403 valid-sync-token, providers.md C50). Authentication is Basic on every request. Reads get
 * `readRetries` quick retries on transient failures; writes are never retried blindly (a lost answer to a
 * conditional PUT must be resolved by reading, not by sending again).
 */
export class CaldavClient {
  private readonly options: CaldavClientOptions;
  private readonly authorization: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: CaldavClientOptions) {
    this.options = options;
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get headers(): Record<string, string> {
    return { authorization: this.authorization };
  }

  /** Runs one exchange with a fetch that records the HTTP answer (tsdav consumes the body; a clone keeps error bodies). */
  private async exchange<T>(what: string, run: (fetch: CaldavFetch) => Promise<T>): Promise<Exchange<T>> {
    let seen: { status: number; headers: Headers; body: Promise<string> } | null = null;
    const recording: CaldavFetch = async (url, init) => {
      const response = await this.options.fetch(url, init);
      seen = { status: response.status, headers: response.headers, body: response.status >= 300 ? response.clone().text() : Promise.resolve('') };
      return response;
    };
    let value: T;
    try {
      value = await run(recording);
    } catch (thrown) {
      throw translateCaldavThrown(thrown, what);
    }
    const answer = seen as { status: number; headers: Headers; body: Promise<string> } | null;
    if (!answer) throw new AppError('provider.unavailable', `CalDAV ${what}: no request was made`, { retryable: true });
    return { value, status: answer.status, headers: answer.headers, body: await answer.body };
  }

  /**
   * One exchange whose HTTP status must satisfy `ok`, else a typed AppError. Reads are retried quickly
   * (`readRetries`, jittered) when the failure is transient (5xx, no answer); nothing else is.
   */
  private async checked<T>(what: string, run: (fetch: CaldavFetch) => Promise<T>, ok: (status: number) => boolean, read: boolean): Promise<Exchange<T>> {
    const retries = read ? (this.options.readRetries ?? 1) : 0;
    for (let attempt = 0; ; attempt++) {
      let error: AppError;
      try {
        const result = await this.exchange(what, run);
        if (ok(result.status)) return result;
        error = translateCaldavFailure({ status: result.status, retryAfter: result.headers.get('retry-after'), body: result.body }, what);
      } catch (thrown) {
        error = translateCaldavThrown(thrown, what);
      }
      if (error.code !== 'provider.unavailable' || attempt >= retries) throw error;
      await this.sleep(backoffDelayMs(attempt, { baseMs: 200, capMs: 4_000 }));
    }
  }

  /** PROPFIND with the given props (tsdav namespaces: d, c, cs, ca). Answers only a multistatus. */
  async propfind(url: string, depth: '0' | '1', props: Record<string, unknown>, what = 'PROPFIND'): Promise<DAVResponse[]> {
    const result = await this.checked(what, (fetch) => propfind({ url, depth, props, headers: this.headers, fetch: fetch as typeof globalThis.fetch }), (s) => MULTISTATUS_OK.has(s), true);
    return result.value;
  }

  /** Like `propfind`, but gives back the raw HTTP status instead of throwing on a non-DAV answer (discovery probes). */
  async probe(url: string, depth: '0' | '1', props: Record<string, unknown>): Promise<{ status: number; responses: DAVResponse[]; headers: Headers; body: string }> {
    const result = await this.exchange('discovery', (fetch) => propfind({ url, depth, props, headers: this.headers, fetch: fetch as typeof globalThis.fetch }));
    return { status: result.status, responses: result.value, headers: result.headers, body: result.body };
  }

  /**
   * RFC 6578 sync-collection from `token` ('' = initial: every member). The status is checked: a 403
   * `valid-sync-token` throws `provider.cursor_invalid`, anything but a multistatus throws typed.
   */
  async syncCollection(collectionUrl: string, token: string): Promise<SyncReport> {
    const result = await this.checked(
      'sync-collection',
      (fetch) => syncCollection({ url: collectionUrl, props: { 'd:getetag': {} }, syncLevel: 1, syncToken: token, headers: this.headers, fetch: fetch as typeof globalThis.fetch }),
      (s) => s === 207,
      true,
    );
    const responses = result.value;
    const multistatus = (responses[0]?.raw as { multistatus?: { syncToken?: unknown } } | undefined)?.multistatus;
    const newToken = propText(multistatus?.syncToken);
    if (!newToken) throw new AppError('provider.unavailable', 'CalDAV sync-collection: the answer carries no sync-token', { retryable: true });
    const collectionPath = hrefPath(collectionUrl, collectionUrl);
    const report: SyncReport = { token: newToken, changed: [], removed: [], truncated: false };
    for (const response of responses) {
      if (!response.href) continue;
      const path = hrefPath(response.href, collectionUrl);
      if (samePath(path, collectionPath)) {
        // The collection itself: 507 means truncated; otherwise iCloud lists it with the changed members (providers.md C51).
        if (response.status === 507) report.truncated = true;
        continue;
      }
      if (path.endsWith('/')) continue; // a sub-collection is not a calendar object
      if (response.status === 404) report.removed.push(path);
      else if (response.status >= 200 && response.status < 300) report.changed.push({ href: path, etag: propText(response.props?.getetag) });
    }
    return report;
  }

  /** calendar-multiget of `hrefs` (one request): found resources with etag and data, and the 404 ones. */
  async multiget(collectionUrl: string, hrefs: readonly string[]): Promise<MultigetResult> {
    const result = await this.checked(
      'calendar-multiget',
      (fetch) =>
        davRequest({
          url: collectionUrl,
          init: {
            method: 'REPORT',
            headers: { ...this.headers, depth: '1' },
            namespace: 'c',
            body: { 'calendar-multiget': { _attributes: NS, 'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} }, 'd:href': [...hrefs] } },
          },
          fetch: fetch as typeof globalThis.fetch,
        }),
      (s) => s === 207,
      true,
    );
    return readCalendarResources(result.value, collectionUrl);
  }

  /** calendar-query for VEVENTs whose UID contains `uid` (servers match substrings; callers compare exactly). */
  async queryByUid(collectionUrl: string, uid: string): Promise<CalendarResource[]> {
    const result = await this.checked(
      'calendar-query',
      (fetch) =>
        davRequest({
          url: collectionUrl,
          init: {
            method: 'REPORT',
            headers: { ...this.headers, depth: '1' },
            namespace: 'c',
            body: {
              'calendar-query': {
                _attributes: NS,
                'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} },
                filter: {
                  'comp-filter': {
                    _attributes: { name: 'VCALENDAR' },
                    'comp-filter': { _attributes: { name: 'VEVENT' }, 'prop-filter': { _attributes: { name: 'UID' }, 'text-match': { _attributes: { collation: 'i;octet' }, _text: uid } } },
                  },
                },
              },
            },
          },
          fetch: fetch as typeof globalThis.fetch,
        }),
      (s) => s === 207,
      true,
    );
    return readCalendarResources(result.value, collectionUrl).found;
  }

  /**
   * calendar-query for the VEVENT resources that overlap [start, end) (RFC 4791 §9.9 time-range: the server
   * evaluates recurrence), with their data. No `expand`: the resources come as stored (master and overrides)
   * and our own recurrence code expands them.
   */
  async queryTimeRange(collectionUrl: string, start: Date, end: Date): Promise<CalendarResource[]> {
    const result = await this.checked(
      'calendar-query',
      (fetch) =>
        davRequest({
          url: collectionUrl,
          init: {
            method: 'REPORT',
            headers: { ...this.headers, depth: '1' },
            namespace: 'c',
            body: {
              'calendar-query': {
                _attributes: NS,
                'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} },
                filter: {
                  'comp-filter': {
                    _attributes: { name: 'VCALENDAR' },
                    'comp-filter': { _attributes: { name: 'VEVENT' }, 'time-range': { _attributes: { start: davUtc(start), end: davUtc(end) } } },
                  },
                },
              },
            },
          },
          fetch: fetch as typeof globalThis.fetch,
        }),
      (s) => s === 207,
      true,
    );
    return readCalendarResources(result.value, collectionUrl).found;
  }

  /** GET one calendar object; null when it does not exist. */
  async get(collectionUrl: string, href: string): Promise<CalendarResource | null> {
    const url = new URL(href, collectionUrl).href;
    const result = await this.checked(
      'GET',
      async (fetch) => {
        const response = await fetch(url, { method: 'GET', headers: { ...this.headers, accept: 'text/calendar' } });
        return response.status === 200 ? response.text() : '';
      },
      (s) => s === 200 || s === 404 || s === 410,
      true,
    );
    if (result.status !== 200) return null;
    return { href: hrefPath(href, collectionUrl), etag: result.headers.get('etag'), data: result.value };
  }

  /**
   * PUT a calendar object: `ifNoneMatch` creates only (412 when it exists), `ifMatch` replaces only that
   * version (412 when it changed). Returns the new ETag when the server gave a strong one (else null: the
   * server changed what it stored, RFC 4791 §5.3.4, and the caller must read it back).
   */
  async put(collectionUrl: string, href: string, data: string, condition: { ifMatch: string } | { ifNoneMatch: true }): Promise<{ etag: string | null }> {
    const url = new URL(href, collectionUrl).href;
    const headers = { ...this.headers, 'content-type': ICS };
    const result = await this.checked(
      'PUT',
      (fetch) =>
        'ifMatch' in condition
          ? updateObject({ url, data, etag: condition.ifMatch, headers, fetch: fetch as typeof globalThis.fetch })
          : createObject({ url, data, headers: { ...headers, 'if-none-match': '*' }, fetch: fetch as typeof globalThis.fetch }),
      (s) => s === 200 || s === 201 || s === 204,
      false,
    );
    const etag = result.headers.get('etag');
    return { etag: etag && !etag.startsWith('W/') ? etag : null };
  }

  /** DELETE a calendar object (with If-Match when given). False when it was already gone. */
  async delete(collectionUrl: string, href: string, ifMatch: string | null): Promise<boolean> {
    const url = new URL(href, collectionUrl).href;
    const result = await this.checked(
      'DELETE',
      (fetch) => deleteObject({ url, ...(ifMatch ? { etag: ifMatch } : {}), headers: this.headers, fetch: fetch as typeof globalThis.fetch }),
      (s) => s === 200 || s === 204 || s === 404 || s === 410,
      false,
    );
    return result.status !== 404 && result.status !== 410;
  }
}

/** An instant as iCalendar UTC date-time (`20260101T000000Z`), the form time-range filters take. */
function davUtc(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function calendarData(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as { _cdata?: unknown; _text?: unknown };
    if (typeof node._cdata === 'string') return node._cdata;
    if (typeof node._text === 'string') return node._text;
  }
  return value === undefined || value === null ? null : String(value);
}

function readCalendarResources(responses: readonly DAVResponse[], collectionUrl: string): MultigetResult {
  const out: MultigetResult = { found: [], missing: [] };
  for (const response of responses) {
    if (!response.href) continue;
    const href = hrefPath(response.href, collectionUrl);
    if (response.status === 404 || response.status === 410) {
      out.missing.push(href);
      continue;
    }
    const data = calendarData(response.props?.calendarData);
    if (response.status >= 200 && response.status < 300 && data) out.found.push({ href, etag: propText(response.props?.getetag), data });
  }
  return out;
}
