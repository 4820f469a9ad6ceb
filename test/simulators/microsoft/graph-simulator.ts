import { randomUUID } from 'node:crypto';
import { calendarView, itemsInWindow, sortItems } from './calendar-view.ts';
import { DeltaEngine, type DeltaExpiryCode } from './delta.ts';
import { Dispatcher, type RequestLogEntry } from './dispatcher.ts';
import { parseEventInput } from './event-input.ts';
import { EventOperations, type EventTarget } from './event-operations.ts';
import { renderEvent, renderItem, UTC_RENDER, type RenderOptions } from './event-render.ts';
import { FaultInjector, MailboxLimiter, type FailRule, type LatencyRule, type LimiterOptions } from './faults.ts';
import { GraphHttpError } from './graph-error.ts';
import { GraphRouter } from './graph-router.ts';
import { createGraphRoutes } from './graph-routes.ts';
import { startHttpsServer, type RunningServer } from './https-server.ts';
import { parseItemId } from './ids.ts';
import { IdentityService } from './identity.ts';
import { MailboxStore, type NewUser } from './mailbox-store.ts';
import type { GraphEvent, GraphEventInput, SimCalendar, SimUser } from './model.ts';
import { Notifier, type DeliveryLogEntry, type DeliveryMode } from './notifier.ts';
import { SubscriptionService, type LifecycleEvent } from './subscriptions.ts';
import { resolveTimeZone } from './time-zones.ts';
import type { GraphSimulatorOptions } from './simulator-options.ts';

export type { GraphSimulatorOptions } from './simulator-options.ts';

export interface ExpireDeltaTokensOptions {
  calendarId?: string;
  code?: DeltaExpiryCode;
  /** Add a `Location` header with an empty `$deltatoken`. */
  location?: boolean;
}

type Instant = Date | string | number;
const toMs = (value: Instant): number => (value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value));

function renderOptions(timeZone: string | undefined): RenderOptions {
  if (!timeZone) return UTC_RENDER;
  const zone = resolveTimeZone(timeZone);
  if (!zone) throw new Error(`unknown time zone ${timeZone}`);
  return { timeZoneName: timeZone, zone, bodyContentType: null };
}

/**
 * A Microsoft Graph (Outlook calendar) and identity platform simulator over HTTPS. Tests act as the user
 * in Outlook through the methods below; our code talks to `endpoints` like it talks to Microsoft.
 */
export class GraphSimulator {
  readonly origin: string;
  readonly port: number;
  readonly tenantId: string;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly maxPageSize: number;
  /** `MICROSOFT_LOGIN_URL` (authority base: `/{tenant}/oauth2/v2.0/...` follows) and `MICROSOFT_GRAPH_URL`. */
  readonly endpoints: { loginUrl: string; graphUrl: string };
  private readonly store: MailboxStore;
  private readonly operations: EventOperations;
  private readonly identity: IdentityService;
  private readonly delta: DeltaEngine;
  private readonly notifier: Notifier;
  private readonly subscriptionService: SubscriptionService;
  private readonly faults: FaultInjector;
  private readonly limiter: MailboxLimiter;
  private readonly dispatcher: Dispatcher;
  private readonly server: RunningServer;

  /** Use `startGraphSimulator`. */
  constructor(server: RunningServer, options: GraphSimulatorOptions) {
    const now = options.now ?? (() => new Date());
    this.server = server;
    this.port = server.port;
    this.origin = `https://localhost:${server.port}`;
    this.endpoints = { loginUrl: `${this.origin}/login`, graphUrl: this.origin };
    this.tenantId = options.tenantId ?? randomUUID();
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.maxPageSize = options.maxPageSize ?? 1000;
    this.store = new MailboxStore(this.tenantId);
    if (options.autoConsentUser && !this.store.findUser(options.autoConsentUser)) this.store.addUser({ mail: options.autoConsentUser });
    this.operations = new EventOperations(this.store, now);
    this.identity = new IdentityService(this.store, {
      loginUrl: this.endpoints.loginUrl,
      tenantId: this.tenantId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUris: options.redirectUris,
      autoConsentUser: options.autoConsentUser,
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3599,
      refreshTokenInactivityMs: (options.refreshTokenInactivityDays ?? 90) * 86_400_000,
      revokeFamilyOnReuse: options.revokeRefreshTokenFamilyOnReuse ?? false,
      ...(options.idTokenIssuer ? { idTokenIssuer: options.idTokenIssuer } : {}),
      idTokenAlways: options.idTokenAlways ?? false,
      now,
    });
    this.delta = new DeltaEngine(this.store, this.origin, () => now().getTime());
    this.delta.tokenLifetimeMs = options.deltaTokenLifetimeMs ?? null;
    this.notifier = new Notifier({
      mode: options.deliverNotifications ?? 'auto',
      timeoutMs: options.notificationTimeoutMs ?? 3_000,
      retryDelaysMs: options.notificationRetryDelaysMs ?? [1_000, 10_000, 60_000, 300_000, 900_000, 3_600_000],
      batchDelayMs: options.notificationBatchDelayMs ?? 25,
      maxBatchSize: 100,
    });
    this.subscriptionService = new SubscriptionService(this.store, this.notifier, {
      maxLifetimeMinutes: options.maxSubscriptionLifetimeMinutes ?? 4_230,
      maxPerMailbox: options.maxSubscriptionsPerMailbox ?? 1_000,
      validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
      requireHttps: options.requireHttpsNotificationUrls ?? false,
      now,
    });
    this.faults = new FaultInjector();
    if (options.latencyMs) this.faults.setLatency({ ms: options.latencyMs });
    this.limiter = new MailboxLimiter({
      concurrency: options.concurrencyLimit ?? 4,
      requestsPer10Minutes: options.requestsPer10Minutes ?? 10_000,
      retryAfterSeconds: options.throttleRetryAfterSeconds ?? 1,
    });
    const router = new GraphRouter(createGraphRoutes({
      store: this.store,
      operations: this.operations,
      delta: this.delta,
      subscriptions: this.subscriptionService,
      origin: this.origin,
      paging: { defaultPageSize: options.defaultPageSize ?? 10, maxPageSize: this.maxPageSize },
    }));
    this.dispatcher = new Dispatcher({ identity: this.identity, router, faults: this.faults, limiter: this.limiter, store: this.store, loginPath: '/login', now });
  }

  /** @internal the server's entry point. */
  handle = (request: Parameters<Dispatcher['dispatch']>[0]) => this.dispatcher.dispatch(request);

  // ── Users and calendars ────────────────────────────────────────────────────────────────────────
  addUser(input: NewUser): SimUser {
    return { ...this.store.addUser(input) };
  }

  user(idOrMail: string): SimUser {
    return { ...this.store.requireUser(idOrMail) };
  }

  users(): SimUser[] {
    return this.store.users().map((u) => ({ ...u }));
  }

  addCalendar(user: string, input: { name: string; hexColor?: string }): SimCalendar {
    return { ...this.store.addCalendar(this.store.requireUser(user).id, input) };
  }

  calendars(user: string): SimCalendar[] {
    return this.store.calendarsOf(this.store.requireUser(user).id).map((c) => ({ ...c }));
  }

  // ── Acting as the user in Outlook (changes are logged for delta and notified like API writes) ──
  /** Takes a Graph event body; may also set `organizer`, `isCancelled` and attendee `status`. */
  createEvent(calendarId: string, input: GraphEventInput): GraphEvent {
    const calendar = this.store.calendar(calendarId);
    if (!calendar) throw new Error(`unknown calendar ${calendarId}`);
    const user = this.store.requireUser(calendar.userId);
    return renderEvent(this.operations.create(calendar, user, parseEventInput(input, true)), UTC_RENDER);
  }

  getEvent(eventId: string, options: { timeZone?: string } = {}): GraphEvent | null {
    try {
      return this.render(this.target(eventId), renderOptions(options.timeZone));
    } catch (error) {
      if (error instanceof GraphHttpError && error.status === 404) return null;
      throw error;
    }
  }

  /** A single event, a series master (the whole series), or an occurrence (becomes an exception). */
  updateEvent(eventId: string, patch: GraphEventInput): GraphEvent {
    const target = this.target(eventId);
    const user = this.store.requireUser(target.kind === 'event' ? target.event.userId : target.item.event.userId);
    return this.render(this.operations.update(target, parseEventInput(patch, true), user), UTC_RENDER);
  }

  /** A single event or a whole series; an occurrence id cancels that occurrence. */
  deleteEvent(eventId: string): void {
    this.operations.delete(this.target(eventId));
  }

  cancelOccurrence(occurrenceId: string): void {
    const target = this.target(occurrenceId);
    if (target.kind !== 'instance') throw new Error(`${occurrenceId} is not an occurrence`);
    this.operations.delete(target);
  }

  occurrences(seriesMasterId: string, start: Instant, end: Instant, options: { timeZone?: string } = {}): GraphEvent[] {
    const target = this.target(seriesMasterId);
    if (target.kind !== 'event' || !target.event.recurrence) throw new Error(`${seriesMasterId} is not a series master`);
    const render = renderOptions(options.timeZone);
    return sortItems(itemsInWindow(target.event, { startMs: toMs(start), endMs: toMs(end) })).map((item) => renderItem(item, render));
  }

  /** What `calendarView` returns for the window: single instances, occurrences and exceptions. */
  truth(calendarId: string, start: Instant, end: Instant, options: { timeZone?: string } = {}): GraphEvent[] {
    if (!this.store.calendar(calendarId)) throw new Error(`unknown calendar ${calendarId}`);
    const render = renderOptions(options.timeZone);
    return calendarView(this.store, calendarId, { startMs: toMs(start), endMs: toMs(end) }).map((item) => renderItem(item, render));
  }

  // ── Identity ─────────────────────────────────────────────────────────────────────────────────
  /** Tokens without the browser; the default scope includes `offline_access` (so a refresh token); add `openid` for an ID token. */
  issueTokens(user: string, options: { scope?: string; clientId?: string } = {}): { access_token: string; refresh_token?: string; expires_in: number; scope: string } {
    const scope = options.scope ?? 'offline_access https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/User.Read';
    return this.identity.issueTokens(this.store.requireUser(user), scope, options.clientId) as { access_token: string; refresh_token?: string; expires_in: number; scope: string };
  }

  expireAccessTokens(user?: string): number {
    return this.identity.expireAccessTokens(user ? this.store.requireUser(user).id : undefined);
  }

  /** Current refresh tokens (of one user, or all) fail with 400 invalid_grant and this AADSTS code from now on. */
  failTokenRefresh(options: { aadsts: 700082 | 50173; user?: string }): number {
    return this.identity.failTokenRefresh(options.aadsts, options.user ? this.store.requireUser(options.user).id : undefined);
  }

  /** The next authorize request(s) redirect with `error=access_denied` (user declined consent). */
  denyNextAuthorization(count = 1): void {
    this.identity.denyNextAuthorization(count);
  }

  setConsentUser(user: string): void {
    this.identity.consentUser = this.store.requireUser(user).mail;
  }

  // ── Faults ───────────────────────────────────────────────────────────────────────────────────
  failNext(rule: FailRule): void {
    this.faults.failNext(rule);
  }

  setLatency(latency: number | LatencyRule | null): void {
    this.faults.setLatency(typeof latency === 'number' ? { ms: latency } : latency);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setThrottleLimits(limits: Partial<LimiterOptions>): void {
    this.limiter.options = { ...this.limiter.options, ...limits };
  }

  /** Delta and skip tokens issued so far answer 410 on their next use; returns how many. */
  expireDeltaTokens(options: string | ExpireDeltaTokensOptions = {}): number {
    const { calendarId, code = 'syncStateNotFound', location = false } = typeof options === 'string' ? { calendarId: options } : options;
    return this.delta.expire(calendarId, code, location);
  }

  /** While on, delta pages repeat the previous page's last item and every deltaLink replays the last change. */
  setDeltaReplays(enabled: boolean): void {
    this.delta.setReplays(enabled);
  }

  /** The next `count` delta pages (that have items left) come back empty with a nextLink. */
  injectEmptyDeltaPages(count: number): void {
    this.delta.injectEmptyPages(count);
  }

  // ── Notifications ────────────────────────────────────────────────────────────────────────────
  setNotificationDelivery(mode: DeliveryMode): void {
    this.notifier.setMode(mode);
  }

  /** Delivers queued notifications now and resolves with the deliveries it made. */
  flush(): Promise<DeliveryLogEntry[]> {
    return this.notifier.flush();
  }

  dropNextNotifications(count = 1): void {
    this.notifier.dropNext(count);
  }

  duplicateNextNotifications(count = 1): void {
    this.notifier.duplicateNext(count);
  }

  reorderNextNotifications(count = 2): void {
    this.notifier.reorderNext(count);
  }

  emitLifecycle(subscriptionId: string, lifecycleEvent: LifecycleEvent): void {
    this.subscriptionService.emitLifecycle(subscriptionId, lifecycleEvent);
  }

  deliveryLog(): DeliveryLogEntry[] {
    return this.notifier.log();
  }

  clearDeliveryLog(): void {
    this.notifier.clearLog();
  }

  pendingNotifications(): number {
    return this.notifier.pending();
  }

  subscriptions(user?: string): Record<string, unknown>[] {
    return this.subscriptionService.list(user ? this.store.requireUser(user).id : undefined).map((s) => this.subscriptionService.toJson(s));
  }

  // ── Counters ─────────────────────────────────────────────────────────────────────────────────
  /** Requests per route, e.g. `GET /v1.0/me/calendars/{calendarId}/calendarView/delta` (batch steps included). */
  counters(): Record<string, number> {
    return Object.fromEntries(this.dispatcher.counters);
  }

  resetCounters(): void {
    this.dispatcher.counters.clear();
  }

  requestLog(): RequestLogEntry[] {
    return [...this.dispatcher.requestLog];
  }

  async stop(): Promise<void> {
    await this.notifier.stop();
    await this.server.close();
  }

  private target(eventId: string): EventTarget {
    const parsed = parseItemId(eventId);
    const storeId = parsed?.kind === 'occurrence' ? parsed.seriesMasterId : parsed?.id;
    const event = storeId ? this.store.event(storeId) : undefined;
    if (!event) throw new GraphHttpError(404, 'ErrorItemNotFound', `no event ${eventId}`);
    return this.operations.resolve(eventId, { userId: event.userId });
  }

  private render(target: EventTarget, render: RenderOptions): GraphEvent {
    return target.kind === 'event' ? renderEvent(target.event, render) : renderItem(target.item, render);
  }
}

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<GraphSimulator> {
  // The origin (and so every component) needs the port, which is known only once the server listens.
  const started: { simulator?: GraphSimulator } = {};
  const server = await startHttpsServer(options.tls, options.host ?? '127.0.0.1', options.port ?? 0, (request) => {
    if (!started.simulator) return Promise.resolve({ status: 503, json: { error: { code: 'ServiceNotAvailable', message: 'Simulator is starting.' } } });
    return started.simulator.handle(request);
  });
  started.simulator = new GraphSimulator(server, options);
  return started.simulator;
}
