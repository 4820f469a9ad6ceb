import { calendarRoutes } from './calendar-routes.ts';
import { googleErrors } from './errors.ts';
import { renderRecord } from './event-resource.ts';
import { deleteEvent, insertEvent, moveEvent, renderTarget, resolveTarget, settleConferences, writeEvent, type WriteOptions } from './event-writes.ts';
import { collectEvents, type PageSizer } from './events-query.ts';
import { Faults, Stats, type FailSpec, type LatencySpec, type RateLimit } from './faults.ts';
import { OAuthServer, type TokenSet } from './oauth.ts';
import { seededRandom } from './prng.ts';
import { PushHub, type ChannelInfo, type PushDelivery } from './push.ts';
import { DAY_MS } from './recurrence.ts';
import { instanceId } from './series.ts';
import { startHttpServer, type Route, type RunningServer } from './server.ts';
import { SimStore } from './store.ts';
import type { EventInput, GoogleEvent, SimUser } from './types.ts';
import { parseDate, parseDateTime } from './zone-time.ts';

export interface GoogleSimulatorOptions {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The simulated clock (token expiry, channel expiry, `updated`); default the real clock. */
  now?: () => Date;
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs; default: any. */
  redirectUris?: string[] | null;
  /** Consents automatically as this user (created if missing) when no `login_hint` names a known user. */
  autoConsentUser?: string;
  /** `expires_in` of access tokens (default 3600). */
  accessTokenTtlSeconds?: number;
  /** `iss` of ID tokens and the discovery document (default Google's). */
  issuer?: string;
  deliverPushes?: 'auto' | 'manual';
  /** Waits before push retries (default [100, 400, 1600] ms: 4 attempts). */
  pushRetryDelaysMs?: number[];
  pushTimeoutMs?: number;
  /** Caps `params.ttl` of channels (seconds); default no cap (Google's maximum is unconfirmed). */
  maxChannelTtlSeconds?: number | null;
  /** `exact` pages (default), `short` (a third of maxResults) or `random` (0…maxResults, empty pages included). */
  paging?: PagingMode;
  seed?: number;
  /** Open-ended series are expanded this far past now (default 730 days). */
  expansionHorizonDays?: number;
  freeBusyMaxDays?: number;
  freeBusyMaxCalendars?: number;
  /** freeBusy counts events the owner declined as busy (default false: they are free, as in Google's UI). */
  freeBusyCountsDeclined?: boolean;
  /** `next-read` (default): a pending Meet becomes `success` on the next read of its calendar. */
  conferenceResolution?: 'next-read' | 'manual';
  rateLimit?: RateLimit | null;
}

export type PagingMode = 'exact' | 'short' | 'random';

interface Settings {
  paging: PagingMode;
  conferenceResolution: 'next-read' | 'manual';
}

export interface GoogleSimulatorEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
  /** The API client's `rootUrl` (origin with trailing slash; paths stay `/calendar/v3/...`). */
  apiRootUrl: string;
  jwksUrl: string;
  discoveryUrl: string;
}

export interface TimeWindow {
  timeMin?: string | Date;
  timeMax?: string | Date;
}

const DEFAULT_SCOPE = 'openid email https://www.googleapis.com/auth/calendar';

/**
 * A faithful, in-memory Google Calendar v3 + Google OAuth simulator on a loopback port (providers.md §A and
 * §E). Tests act as the user through the direct methods (no HTTP) and inspect the truth; the system under
 * test talks HTTP to `endpoints`.
 */
export class GoogleSimulator {
  readonly url: string;
  readonly endpoints: GoogleSimulatorEndpoints;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Requests per route (`stats.count('events.list')`), resettable. */
  readonly stats: Stats;
  private readonly store: SimStore;
  private readonly oauth: OAuthServer;
  private readonly push: PushHub;
  private readonly faults: Faults;
  private readonly http: RunningServer;
  /** Switches the routes read on every request. */
  private readonly settings: Settings;
  private stopped = false;

  private constructor(parts: {
    url: string;
    store: SimStore;
    oauth: OAuthServer;
    push: PushHub;
    faults: Faults;
    stats: Stats;
    http: RunningServer;
    settings: Settings;
  }) {
    this.url = parts.url;
    this.faults = parts.faults;
    this.stats = parts.stats;
    this.store = parts.store;
    this.oauth = parts.oauth;
    this.push = parts.push;
    this.http = parts.http;
    this.settings = parts.settings;
    this.clientId = parts.oauth.options.clientId;
    this.clientSecret = parts.oauth.options.clientSecret;
    this.endpoints = {
      authorizeUrl: `${this.url}o/oauth2/v2/auth`,
      tokenUrl: `${this.url}token`,
      revokeUrl: `${this.url}revoke`,
      userinfoUrl: `${this.url}v1/userinfo`,
      apiRootUrl: this.url,
      jwksUrl: `${this.url}oauth2/v3/certs`,
      discoveryUrl: `${this.url}.well-known/openid-configuration`,
    };
  }

  static async start(options: GoogleSimulatorOptions = {}): Promise<GoogleSimulator> {
    const now = options.now ?? (() => new Date());
    const host = options.host ?? '127.0.0.1';
    const store = new SimStore({ now, expansionHorizonDays: options.expansionHorizonDays ?? 730 });
    const autoConsentUser = options.autoConsentUser?.toLowerCase() ?? null;
    if (autoConsentUser) store.createUser({ email: autoConsentUser });
    const oauth = new OAuthServer(store, {
      clientId: options.clientId ?? 'simulated-client-id.apps.googleusercontent.com',
      clientSecret: options.clientSecret ?? 'simulated-client-secret',
      redirectUris: options.redirectUris ?? null,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      issuer: options.issuer ?? 'https://accounts.google.com',
      autoConsentUser,
      maxRefreshTokensPerGrant: 100,
    });
    const seed = options.seed ?? 1;
    const random = seededRandom(seed ^ 0x5eed);
    const settings: Settings = { paging: options.paging ?? 'exact', conferenceResolution: options.conferenceResolution ?? 'next-read' };
    const sizer: PageSizer = (maxResults, empties) => {
      const mode = settings.paging;
      if (mode === 'short') return Math.max(1, Math.floor(maxResults / 3));
      if (mode === 'random') return Math.floor(random() * (maxResults + 1)) || (empties >= 2 ? 1 : 0);
      return maxResults;
    };
    const faults = new Faults();
    if (options.rateLimit) faults.setRateLimit(options.rateLimit);
    const stats = new Stats();
    let routes: Route[] = [];
    const http = await startHttpServer({ host, port: options.port ?? 0, routes: () => routes, faults, stats, now });
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}/`;
    const push = new PushHub({
      mode: options.deliverPushes ?? 'auto',
      retryDelaysMs: options.pushRetryDelaysMs ?? [100, 400, 1600],
      timeoutMs: options.pushTimeoutMs ?? 5_000,
      maxTtlSeconds: options.maxChannelTtlSeconds ?? null,
      apiRootUrl: url,
      now,
      seed,
    });
    store.onChange((calendarId) => push.notify(calendarId));
    const simulator = new GoogleSimulator({ url, store, oauth, push, faults, stats, http, settings });
    const api = calendarRoutes({
      store,
      oauth,
      push,
      faults,
      pageSizer: sizer,
      freeBusy: { maxDays: options.freeBusyMaxDays ?? 90, maxCalendars: options.freeBusyMaxCalendars ?? 50, countsDeclined: options.freeBusyCountsDeclined ?? false },
      conferenceResolution: () => settings.conferenceResolution,
    });
    const endpoints = simulator.endpoints;
    routes = [
      ...api,
      { name: 'oauth.authorize', method: 'GET', pattern: /^\/o\/oauth2\/v2\/auth$/, handle: (r) => oauth.authorize(r), oauth: true },
      { name: 'oauth.token', method: 'POST', pattern: /^\/token$/, handle: (r) => oauth.token(r), oauth: true },
      { name: 'oauth.revoke', method: 'POST', pattern: /^\/revoke$/, handle: (r) => oauth.revoke(r), oauth: true },
      { name: 'oauth.revoke', method: 'GET', pattern: /^\/revoke$/, handle: (r) => oauth.revoke(r), oauth: true },
      { name: 'oauth.userinfo', method: 'GET', pattern: /^\/(v1\/userinfo|oauth2\/v3\/userinfo)$/, handle: (r) => oauth.userinfo(r), oauth: true },
      { name: 'oauth.userinfo', method: 'POST', pattern: /^\/(v1\/userinfo|oauth2\/v3\/userinfo)$/, handle: (r) => oauth.userinfo(r), oauth: true },
      { name: 'oauth.tokeninfo', method: 'GET', pattern: /^\/(tokeninfo|oauth2\/v3\/tokeninfo)$/, handle: (r) => oauth.tokenInfo(r), oauth: true },
      { name: 'oauth.jwks', method: 'GET', pattern: /^\/oauth2\/v3\/certs$/, handle: () => oauth.jwks(), oauth: true },
      { name: 'oauth.discovery', method: 'GET', pattern: /^\/\.well-known\/openid-configuration$/, handle: () => oauth.discovery(endpoints), oauth: true },
    ];
    return simulator;
  }

  // ---------------------------------------------------------------- users and calendars

  createUser(input: { email: string; name?: string; timeZone?: string }): SimUser {
    return { ...this.store.createUser(input) };
  }

  /** The user, or null when unknown. */
  user(email: string): SimUser | null {
    const found = this.store.users.get(email.toLowerCase());
    return found ? { ...found } : null;
  }

  createCalendar(ownerEmail: string, input: { summary: string; timeZone?: string; description?: string; id?: string }): { id: string; summary: string; timeZone: string } {
    const calendar = this.store.createCalendar(ownerEmail, input);
    return { id: calendar.id, summary: calendar.summary, timeZone: calendar.timeZone };
  }

  calendars(email: string): { id: string; summary: string; timeZone: string; primary: boolean }[] {
    return this.store.calendarsOf(email).map(({ id, summary, timeZone, primary }) => ({ id, summary, timeZone, primary }));
  }

  // ---------------------------------------------------------------- acting as the user

  insertEvent(calendarId: string, event: EventInput, options: { conferenceDataVersion?: number } = {}): GoogleEvent {
    return this.render(calendarId, insertEvent(this.store, calendarId, event, options).id);
  }

  createRecurringEvent(calendarId: string, event: EventInput & { recurrence: string[] }): GoogleEvent {
    if (!Array.isArray(event.recurrence) || event.recurrence.length === 0) throw googleErrors.required('recurrence');
    return this.insertEvent(calendarId, event);
  }

  /** PUT semantics: the body replaces the event. */
  updateEvent(calendarId: string, eventId: string, event: EventInput, options: WriteOptions = {}): GoogleEvent {
    return this.render(calendarId, writeEvent(this.store, calendarId, eventId, event, 'replace', options).id);
  }

  /** PATCH semantics (nested objects merge, arrays replace, null clears). */
  patchEvent(calendarId: string, eventId: string, patch: EventInput, options: WriteOptions = {}): GoogleEvent {
    return this.render(calendarId, writeEvent(this.store, calendarId, eventId, patch, 'patch', options).id);
  }

  moveEvent(calendarId: string, eventId: string, destinationCalendarId: string): GoogleEvent {
    moveEvent(this.store, calendarId, eventId, destinationCalendarId);
    return this.render(destinationCalendarId, eventId);
  }

  deleteEvent(calendarId: string, eventId: string, options: WriteOptions = {}): void {
    deleteEvent(this.store, calendarId, eventId, options);
  }

  /** Edits one instance ("this event" in Google's UI): creates or updates its exception. */
  editInstance(calendarId: string, masterId: string, originalStart: string, patch: EventInput): GoogleEvent {
    return this.patchEvent(calendarId, this.instanceIdFor(calendarId, masterId, originalStart), patch);
  }

  /** Deletes one instance: a cancelled exception. */
  cancelInstance(calendarId: string, masterId: string, originalStart: string): void {
    this.deleteEvent(calendarId, this.instanceIdFor(calendarId, masterId, originalStart));
  }

  /** Changes a series' rule; exceptions no longer on the rule are dropped. */
  setRecurrence(calendarId: string, masterId: string, recurrence: string[]): GoogleEvent {
    return this.patchEvent(calendarId, masterId, { recurrence });
  }

  /** The event (or instance) as events.get would return it, or null when unknown. */
  getEvent(calendarId: string, eventId: string): GoogleEvent | null {
    const calendar = this.store.requireCalendar(calendarId);
    const target = resolveTarget(calendar, eventId);
    return target ? renderTarget(target, { calendar, zone: calendar.timeZone }) : null;
  }

  /**
   * Every live event as a full listing with `singleEvents=false` returns it: masters, exceptions (including
   * cancelled instances of live series, which Google lists too), singles; sorted by id. With a window, the
   * overlap rule of providers.md item 7 applies.
   */
  truth(calendarId: string, window: TimeWindow = {}): GoogleEvent[] {
    return collectEvents(this.store, this.store.requireCalendar(calendarId), windowQuery(window, false));
  }

  /** The expanded view (`singleEvents=true`): instances and singles, no masters, ordered by start. */
  expandedTruth(calendarId: string, window: TimeWindow): GoogleEvent[] {
    const query = windowQuery(window, true);
    query.set('orderBy', 'startTime');
    return collectEvents(this.store, this.store.requireCalendar(calendarId), query);
  }

  /** Completes pending Meet creations now (with `conferenceResolution: 'manual'`). */
  resolveConferences(calendarId?: string): void {
    for (const calendar of this.store.calendars.values()) if (!calendarId || calendar.id === calendarId) settleConferences(this.store, calendar);
  }

  setConferenceResolution(mode: 'next-read' | 'manual'): void {
    this.settings.conferenceResolution = mode;
  }

  // ---------------------------------------------------------------- tokens

  /** Access + refresh token for a user without the browser flow. */
  issueTokens(email: string, scope = DEFAULT_SCOPE): TokenSet {
    return this.oauth.issueTokens(email, scope);
  }

  setAccessTokenTtl(seconds: number): void {
    this.oauth.setAccessTokenTtl(seconds);
  }

  // ---------------------------------------------------------------- faults

  /** Every sync token of the calendar (or of all calendars) answers 410 `fullSyncRequired` from now on. */
  invalidateSyncTokens(calendarId?: string): void {
    for (const calendar of this.store.calendars.values()) if (!calendarId || calendar.id === calendarId) calendar.epoch += 1;
  }

  failNext(spec: FailSpec): void {
    this.faults.failNext(spec);
  }

  failTokenRefresh(error: string, options: { count?: number; email?: string } = {}): void {
    this.oauth.failTokenRefresh(error, options);
  }

  revokeUser(email: string): void {
    this.oauth.revokeUser(email);
  }

  denyNextConsent(count = 1): void {
    this.oauth.denyNextConsent(count);
  }

  /** Adds latency: a number slows every request, a spec only matching ones (optionally `count` of them). */
  setLatency(spec: LatencySpec | number): void {
    this.faults.setLatency(spec);
  }

  setRateLimit(limit: RateLimit | null): void {
    this.faults.setRateLimit(limit);
  }

  setPaging(mode: PagingMode): void {
    this.settings.paging = mode;
  }

  /** Removes armed failures, latency and the rate limit. */
  clearFaults(): void {
    this.faults.clear();
  }

  // ---------------------------------------------------------------- push

  get deliverPushes(): 'auto' | 'manual' {
    return this.push.options.mode;
  }

  set deliverPushes(mode: 'auto' | 'manual') {
    this.push.setMode(mode);
  }

  /** Notifications queued and not yet sent (what manual mode is holding). */
  queuedPushes(): number {
    return this.push.queuedCount();
  }

  /** Sends every queued notification (manual mode), in queued order or newest first, and waits until none is in flight. */
  flushPushes(order: 'queued' | 'reversed' = 'queued'): Promise<void> {
    return this.push.flush(order);
  }

  /** Waits until no notification is in flight or waiting for a retry (auto mode). */
  pushesSettled(): Promise<void> {
    return this.push.idle();
  }

  dropNextPushes(count: number): void {
    this.push.dropNext(count);
  }

  duplicateNextPushes(count: number): void {
    this.push.duplicateNext(count);
  }

  /** One entry per delivery attempt, with the receiver's status. */
  get pushLog(): readonly PushDelivery[] {
    return [...this.push.log];
  }

  channels(): ChannelInfo[] {
    return this.push.list();
  }

  // ---------------------------------------------------------------- lifecycle

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.push.close();
    await this.http.close();
  }

  private render(calendarId: string, eventId: string): GoogleEvent {
    const calendar = this.store.requireCalendar(calendarId);
    const record = calendar.events.get(eventId);
    if (!record) throw googleErrors.notFound();
    return renderRecord(record, { calendar, zone: calendar.timeZone });
  }

  private instanceIdFor(calendarId: string, masterId: string, originalStart: string): string {
    if (originalStart.startsWith(`${masterId}_`)) return originalStart;
    const master = this.store.requireCalendar(calendarId).events.get(masterId);
    if (!master || master.type !== 'master') throw googleErrors.notFound();
    const day = parseDate(originalStart);
    const key = day !== null ? day * DAY_MS : parseDateTime(originalStart, null);
    if (key === null) throw googleErrors.invalid(`Invalid original start: ${originalStart}`, 'originalStart');
    return instanceId(masterId, key, master.start.allDay);
  }
}

function windowQuery(window: TimeWindow, singleEvents: boolean): URLSearchParams {
  const query = new URLSearchParams({ singleEvents: String(singleEvents) });
  const text = (value: string | Date): string => (value instanceof Date ? value.toISOString() : value);
  if (window.timeMin !== undefined) query.set('timeMin', text(window.timeMin));
  if (window.timeMax !== undefined) query.set('timeMax', text(window.timeMax));
  return query;
}

export function startGoogleSimulator(options: GoogleSimulatorOptions = {}): Promise<GoogleSimulator> {
  return GoogleSimulator.start(options);
}
