import { calendar as calendarApi, type calendar_v3 } from '@googleapis/calendar';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import type { TimeRange } from '../../domain/calendar.ts';
import type {
  CalendarProvider,
  ChangePage,
  ChangeRequest,
  CreateOptions,
  ProviderBusy,
  ProviderBusyInterval,
  ProviderCalendar,
  ProviderCalendarRef,
  ProviderChange,
  PushSubscribeRequest,
  PushSubscription,
  WriteOptions,
} from '../../ports/calendar-provider.ts';
import type { Log } from '../../ports/log.ts';
import type { AccessTokenSource } from '../oauth/access-token-source.ts';
import { isTransient, readGoogleFailure, translateGoogleError } from './google-errors.ts';
import { googleEventIdFor, googleInstanceId } from './google-event-ids.ts';
import { conferenceDataVersionFor, toGoogleBody, toProviderChange, type GoogleEventResource } from './google-event-mapper.ts';
import { backoffDelayMs } from '../../../shared/domain/backoff.ts';

/** Google's maximum page size for events.list (providers.md A6): a full sync of N events takes ceil(N/2500) calls. */
export const GOOGLE_MAX_RESULTS = 2500;
/**
 * The longest range one `freeBusy.query` may span. Google refuses long ranges (providers.md A20; the exact
 * limit is unconfirmed, about 90 days, which is what Cal.com splits by): longer queries go in pieces.
 */
export const GOOGLE_FREEBUSY_MAX_DAYS = 90;
/** Upper bound of events.list pages in one live busy listing (2,500 events each). */
const MAX_BUSY_LISTING_PAGES = 40;
const DAY_MS = 86_400_000;
/** Quick in-adapter retries of transient 5xx/network failures, before the sync job's own backoff takes over. */
const QUICK_RETRIES = 2;

export interface GoogleCalendarProviderOptions {
  tokens: Pick<AccessTokenSource, 'accessToken' | 'refreshAfterRejection'>;
  /** Calendar API root (origin); paths stay /calendar/v3/... (providers.md A25). */
  rootUrl: string;
  log: Log;
  sleep?: (ms: number) => Promise<void>;
  /** Deadline of one attempt (default GOOGLE_REQUEST_TIMEOUT_MS): a stalled connection must not hold a worker until its own timeout. */
  requestTimeoutMs?: number;
}

/** As for Graph and CalDAV: long enough for a 2,500-event page, well inside a sync worker's and API Gateway's limits. */
export const GOOGLE_REQUEST_TIMEOUT_MS = 30_000;

type Api = calendar_v3.Calendar;

/**
 * Google Calendar through the official `@googleapis/calendar` client. The client's own retry (gaxios: 3
 * retries on 5xx/429 for idempotent methods, ignoring rate-limit semantics) is switched off so retries are
 * not multiplied: we retry transient failures at most twice here with jittered backoff — only calls that
 * are safe to repeat: reads, deletes, PATCHes without an etag precondition, and inserts, which always
 * carry an event id we chose (a repeat after a lost answer meets 409 `duplicate` and reads the first event
 * back). Everything else becomes a typed AppError that the job or the caller retries with its own backoff.
 * Auth is ours: the bearer token comes from the AccessTokenSource, and a 401 triggers one forced refresh.
 */
export class GoogleCalendarProvider implements CalendarProvider {
  readonly kind = 'google' as const;
  readonly push = 'google-channel' as const;
  private readonly api: Api;
  private readonly options: GoogleCalendarProviderOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: GoogleCalendarProviderOptions) {
    this.options = options;
    this.api = calendarApi({ version: 'v3', rootUrl: options.rootUrl.endsWith('/') ? options.rootUrl : `${options.rootUrl}/` });
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Runs one API call with our token, one refresh on 401, and quick retries of transient failures when the
   * call is safe to repeat (`repeatable: false` for a call whose repeat could do or report something else).
   */
  private async call<T>(what: string, request: (headers: { headers: Record<string, string>; retry: boolean; timeout: number }) => Promise<{ data: T }>, repeatable = true): Promise<T> {
    let token = await this.options.tokens.accessToken();
    let refreshed = false;
    const timeout = this.options.requestTimeoutMs ?? GOOGLE_REQUEST_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await request({ headers: { authorization: `Bearer ${token}` }, retry: false, timeout })).data;
      } catch (thrown) {
        const failure = readGoogleFailure(thrown);
        if (failure.status === 401 && !refreshed) {
          refreshed = true;
          token = await this.options.tokens.refreshAfterRejection(token);
          continue;
        }
        const error = translateGoogleError(thrown, what, attempt);
        if (repeatable && isTransient(error) && attempt < QUICK_RETRIES) {
          await this.sleep(backoffDelayMs(attempt, { baseMs: 250, capMs: 4_000 }));
          continue;
        }
        throw error;
      }
    }
  }

  async listCalendars(): Promise<ProviderCalendar[]> {
    const calendars: ProviderCalendar[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < 100; page++) {
      const data = await this.call('calendarList.list', (o) => this.api.calendarList.list({ maxResults: 250, ...(pageToken ? { pageToken } : {}) }, o));
      for (const entry of data.items ?? []) {
        if (!entry.id || entry.deleted) continue;
        calendars.push({
          providerCalendarId: entry.id,
          name: entry.summaryOverride ?? entry.summary ?? entry.id,
          description: entry.description ?? null,
          timeZone: entry.timeZone ?? null,
          color: entry.backgroundColor ?? null,
          isPrimary: entry.primary ?? false,
          readOnly: entry.accessRole === 'reader' || entry.accessRole === 'freeBusyReader',
          // A free/busy-only calendar lists no events.
          supportsEvents: entry.accessRole !== 'freeBusyReader',
          // Workspace rooms and resources are calendars named …@resource.calendar.google.com.
          ...(entry.id.toLowerCase().endsWith('@resource.calendar.google.com') ? { kind: 'room' as const } : {}),
        });
      }
      pageToken = data.nextPageToken ?? undefined;
      if (!pageToken) break;
    }
    return calendars;
  }

  async listChanges(request: ChangeRequest): Promise<ChangePage> {
    const calendarId = request.calendar.providerCalendarId;
    // With a sync token the window parameters are forbidden (providers.md A2); every other one repeats the full sync's.
    const query: calendar_v3.Params$Resource$Events$List = {
      calendarId,
      maxResults: GOOGLE_MAX_RESULTS,
      singleEvents: false,
      ...(request.cursor
        ? { syncToken: request.cursor }
        : { timeMin: request.window.start.toISOString(), timeMax: request.window.end.toISOString() }),
      ...(request.pageToken ? { pageToken: request.pageToken } : {}),
    };
    const data = await this.call('events.list', (o) => this.api.events.list(query, o));
    const zone = data.timeZone ?? request.calendar.timeZone;
    const changes = (data.items ?? []).map((item) => toProviderChange(item as GoogleEventResource, zone)).filter((change) => change !== null);
    return { changes, nextPageToken: data.nextPageToken ?? null, nextCursor: data.nextPageToken ? null : (data.nextSyncToken ?? null) };
  }

  async getEvent(calendar: ProviderCalendarRef, providerEventId: string): Promise<ProviderEvent | null> {
    try {
      const data = await this.call('events.get', (o) => this.api.events.get({ calendarId: calendar.providerCalendarId, eventId: providerEventId }, o));
      const change = toProviderChange(data as GoogleEventResource, calendar.timeZone);
      return change?.type === 'upsert' && change.event.status !== 'cancelled' ? change.event : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'provider.not_found') return null;
      throw error;
    }
  }

  /**
   * Inserts with an id derived from `options.key` (or a random one), so the insert itself is idempotent: a
   * 409 `duplicate` means this key's event exists already — created by an earlier attempt whose answer was
   * lost — and it is read back instead of being created twice.
   */
  async createEvent(calendar: ProviderCalendarRef, draft: EventDraft, options: CreateOptions = {}): Promise<ProviderEvent> {
    const key = options.key ?? randomUUID();
    const id = googleEventIdFor(key);
    const meet = draft.conference?.provider === 'google_meet';
    // A repeated Meet requestId is ignored by Google (A21): derive it too, so a repeat asks for the same meeting.
    const body = { ...toGoogleBody(draft, meet ? `meet-${id}` : null), id } as calendar_v3.Schema$Event;
    try {
      const data = await this.call('events.insert', (o) =>
        this.api.events.insert({ calendarId: calendar.providerCalendarId, ...(meet ? { conferenceDataVersion: 1 } : {}), requestBody: body }, o),
      );
      return this.expectEvent(data, calendar);
    } catch (error) {
      if (!(error instanceof AppError) || readGoogleFailure(error.cause).status !== 409) throw error;
      const existing = await this.getEvent(calendar, id);
      if (existing) return existing;
      throw new AppError('provider.input_invalid', 'Google: the event created under this key has been deleted since; use a new key', { retryable: false, cause: error });
    }
  }

  async updateEvent(calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options: WriteOptions = {}): Promise<ProviderEvent> {
    const meet = draft.conference?.provider === 'google_meet';
    const data = await this.call(
      'events.patch',
      (o) =>
        this.api.events.patch(
          { calendarId: calendar.providerCalendarId, eventId: providerEventId, ...conferenceDataVersionFor(draft), requestBody: toGoogleBody(draft, meet ? randomUUID() : null) as calendar_v3.Schema$Event },
          { ...o, headers: { ...o.headers, ...(options.etag ? { 'if-match': options.etag } : {}) } },
        ),
      // Repeating a PATCH whose answer was lost meets our own change as a 412: with a precondition, never repeat.
      !options.etag,
    );
    return this.expectEvent(data, calendar);
  }

  async instanceId(_calendar: ProviderCalendarRef, seriesProviderEventId: string, originalStart: EventTime): Promise<string | null> {
    return googleInstanceId(seriesProviderEventId, originalStart);
  }

  /** The event as events.list shows it: an upsert, a cancelled instance, or a deletion (404 and tombstones). */
  async readAsSynced(calendar: ProviderCalendarRef, providerEventId: string, _window: TimeRange): Promise<ProviderChange[]> {
    try {
      const data = await this.call('events.get', (o) => this.api.events.get({ calendarId: calendar.providerCalendarId, eventId: providerEventId }, o));
      const change = toProviderChange(data as GoogleEventResource, calendar.timeZone);
      return change ? [change] : [];
    } catch (error) {
      if (error instanceof AppError && error.code === 'provider.not_found') return [{ type: 'delete', providerEventId }];
      throw error;
    }
  }

  async deleteEvent(calendar: ProviderCalendarRef, providerEventId: string, options: WriteOptions = {}): Promise<void> {
    try {
      await this.call('events.delete', (o) =>
        this.api.events.delete({ calendarId: calendar.providerCalendarId, eventId: providerEventId }, { ...o, headers: { ...o.headers, ...(options.etag ? { 'if-match': options.etag } : {}) } }),
      );
    } catch (error) {
      // Deleting what is already gone answers 404 or 410 `deleted` (providers.md A5): success.
      if (error instanceof AppError && error.code === 'provider.not_found') return;
      throw error;
    }
  }

  async subscribe(request: PushSubscribeRequest): Promise<PushSubscription> {
    const data = await this.call('events.watch', (o) =>
      this.api.events.watch(
        {
          calendarId: request.calendar.providerCalendarId,
          requestBody: { id: request.channelId, type: 'web_hook', address: request.address, token: request.secret, params: { ttl: String(request.ttlSeconds) } },
        },
        o,
      ),
      // A repeated watch may open a second channel for the same id; the renewer retries on its own schedule.
      false,
    );
    const expiration = Number(data.expiration);
    return {
      channelId: data.id ?? request.channelId,
      resourceId: data.resourceId ?? null,
      expiresAt: new Date(Number.isFinite(expiration) && expiration > 0 ? expiration : Date.now() + request.ttlSeconds * 1000),
    };
  }

  /** Google channels cannot be extended: the renewal is a new channel; the caller stops the old one after. */
  async renew(_current: PushSubscription, request: PushSubscribeRequest): Promise<PushSubscription> {
    return this.subscribe(request);
  }

  async unsubscribe(_calendar: ProviderCalendarRef, subscription: PushSubscription): Promise<void> {
    try {
      await this.call('channels.stop', (o) => this.api.channels.stop({ requestBody: { id: subscription.channelId, ...(subscription.resourceId ? { resourceId: subscription.resourceId } : {}) } }, o));
    } catch (error) {
      if (error instanceof AppError && error.code === 'provider.not_found') return;
      throw error;
    }
  }

  /**
   * Busy time from `freeBusy.query` (Google's own busy blocks, transparent and cancelled events left out),
   * one request per calendar and at most GOOGLE_FREEBUSY_MAX_DAYS. A grant without a free/busy scope
   * (connections made before `calendar.events.freebusy` was asked for) gets 403 insufficientPermissions:
   * then the events of the range are listed instead (events.list, which `calendar.events` allows) and our
   * code applies our busy rules to them.
   */
  async queryBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    try {
      return await this.freeBusy(calendar, range);
    } catch (error) {
      if (error instanceof AppError && error.code === 'provider.input_invalid' && readGoogleFailure(error.cause).reason === 'insufficientPermissions') {
        this.options.log.debug('free/busy scope not granted; listing events instead', { calendarId: calendar.providerCalendarId });
        return this.listBusyEvents(calendar, range);
      }
      throw error;
    }
  }

  private async freeBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    const id = calendar.providerCalendarId;
    const intervals: ProviderBusyInterval[] = [];
    const endMs = range.end.getTime();
    for (let fromMs = range.start.getTime(); fromMs < endMs; fromMs += GOOGLE_FREEBUSY_MAX_DAYS * DAY_MS) {
      const toMs = Math.min(endMs, fromMs + GOOGLE_FREEBUSY_MAX_DAYS * DAY_MS);
      const data = await this.call('freebusy.query', (o) =>
        this.api.freebusy.query({ requestBody: { timeMin: new Date(fromMs).toISOString(), timeMax: new Date(toMs).toISOString(), timeZone: 'UTC', items: [{ id }] } }, o),
      );
      const entry = data.calendars?.[id];
      const failure = entry?.errors?.[0];
      if (!entry || failure) {
        // Per-calendar errors come inside a 200: `notFound` for a calendar the grant cannot see, else a backend problem.
        const reason = failure?.reason ?? 'missing';
        if (reason === 'notFound') throw new AppError('provider.not_found', `Google freeBusy: calendar not found`, { retryable: false });
        throw new AppError('provider.unavailable', `Google freeBusy: no answer for the calendar (${reason})`, { retryable: true });
      }
      for (const block of entry.busy ?? []) {
        const startMs = Date.parse(block.start ?? '');
        const blockEndMs = Date.parse(block.end ?? '');
        if (!Number.isFinite(startMs) || !Number.isFinite(blockEndMs)) throw new AppError('provider.unavailable', 'Google freeBusy: unreadable busy block', { retryable: true });
        intervals.push({ startMs, endMs: blockEndMs });
      }
    }
    return { kind: 'intervals', intervals };
  }

  /** Every event of the range as Google stores it (masters with exceptions, cancelled ones too), for our own busy rules. */
  private async listBusyEvents(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    const events: ProviderEvent[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_BUSY_LISTING_PAGES; page++) {
      const query: calendar_v3.Params$Resource$Events$List = {
        calendarId: calendar.providerCalendarId,
        timeMin: range.start.toISOString(),
        timeMax: range.end.toISOString(),
        singleEvents: false,
        showDeleted: true,
        maxResults: GOOGLE_MAX_RESULTS,
        ...(pageToken ? { pageToken } : {}),
      };
      const data = await this.call('events.list', (o) => this.api.events.list(query, o));
      const zone = data.timeZone ?? calendar.timeZone;
      for (const item of data.items ?? []) {
        const change = toProviderChange(item as GoogleEventResource, zone);
        if (change?.type === 'upsert') events.push(change.event);
      }
      pageToken = data.nextPageToken ?? undefined;
      if (!pageToken) return { kind: 'events', events };
    }
    throw new AppError('provider.unavailable', `Google events.list: more than ${MAX_BUSY_LISTING_PAGES} pages for one busy query`, { retryable: false });
  }

  private expectEvent(data: calendar_v3.Schema$Event, calendar: ProviderCalendarRef): ProviderEvent {
    const change = toProviderChange(data as GoogleEventResource, calendar.timeZone);
    if (change?.type !== 'upsert') throw new AppError('provider.unavailable', 'Google returned no event', { retryable: true });
    return change.event;
  }
}
