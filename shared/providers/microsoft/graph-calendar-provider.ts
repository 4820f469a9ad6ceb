import { randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { EventDraft, ProviderEvent } from '../../domain/calendar-event.ts';
import type {
  CalendarProvider,
  ChangePage,
  ChangeRequest,
  ProviderCalendar,
  ProviderCalendarRef,
  ProviderChange,
  PushSubscribeRequest,
  PushSubscription,
  WriteOptions,
} from '../../ports/calendar-provider.ts';
import type { Clock } from '../../ports/clock.ts';
import { graphCall } from './graph-errors.ts';
import { draftToGraph } from './graph-event-writer.ts';
import { isRemoved, toProviderEvent } from './graph-event-mapper.ts';
import { IdempotentRequest } from './graph-middleware.ts';
import { graphTimestampMs, graphZoneToIana } from './graph-time.ts';
import type { GraphCalendar, GraphCollection, GraphEvent, GraphSubscription } from './graph-types.ts';

/** The largest `odata.maxpagesize` Outlook honours for calendar delta (fewer, fuller pages). */
export const GRAPH_MAX_PAGE_SIZE = 1000;
/** Outlook event subscriptions live at most 4,230 minutes (providers.md B32). */
export const GRAPH_SUBSCRIPTION_MAX_MINUTES = 4_230;
/** Upper bound of calendar-list pages (a mailbox has far fewer calendars). */
const MAX_CALENDAR_PAGES = 50;

export interface GraphCalendarProviderOptions {
  client: Client;
  clock: Clock;
  /** The mailbox's own address: marks the attendee that is the user. */
  accountEmail: string | null;
  maxPageSize?: number;
}

const calendarPath = (calendar: ProviderCalendarRef) => `/me/calendars/${encodeURIComponent(calendar.providerCalendarId)}`;
const eventPath = (providerEventId: string) => `/me/events/${encodeURIComponent(providerEventId)}`;

/**
 * Microsoft 365 / Outlook calendars through Microsoft Graph v1.0 (providers.md §B). Reads ask for UTC
 * (`Prefer: outlook.timezone="UTC"`) and text bodies, and map each event's own zone from
 * `originalStartTimeZone`. Changes come from `calendarView/delta`: the window goes on the first call only
 * (Graph keeps it inside its tokens), `@odata.nextLink` is the page token and `@odata.deltaLink` the
 * cursor, both requested verbatim. A series arrives as its occurrences and exceptions, never as a master.
 */
export class GraphCalendarProvider implements CalendarProvider {
  readonly kind = 'microsoft' as const;
  readonly push = 'graph-subscription' as const;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly mapping: { accountEmail: string | null };
  private readonly readPrefer: string;

  constructor(options: GraphCalendarProviderOptions) {
    this.client = options.client;
    this.clock = options.clock;
    this.mapping = { accountEmail: options.accountEmail };
    this.readPrefer = `odata.maxpagesize=${options.maxPageSize ?? GRAPH_MAX_PAGE_SIZE}, outlook.timezone="UTC", outlook.body-content-type="text"`;
  }

  async listCalendars(): Promise<ProviderCalendar[]> {
    const calendars: GraphCalendar[] = [];
    let link: string | null = '/me/calendars';
    for (let page = 0; link && page < MAX_CALENDAR_PAGES; page++) {
      const current: string = link;
      const body: GraphCollection<GraphCalendar> = await graphCall('read', () => this.client.api(current).get());
      calendars.push(...(body.value ?? []));
      link = body['@odata.nextLink'] ?? null;
    }
    const timeZone = await this.mailboxTimeZone();
    return calendars.map((calendar) => ({
      providerCalendarId: calendar.id,
      name: calendar.name ?? 'Calendar',
      description: null,
      timeZone,
      color: calendar.hexColor || null,
      isPrimary: calendar.isDefaultCalendar === true,
      readOnly: calendar.canEdit === false,
      supportsEvents: true,
    }));
  }

  /** Graph calendars carry no zone; the mailbox's (a Windows name) applies to all. Optional: null if unreadable. */
  private async mailboxTimeZone(): Promise<string | null> {
    try {
      const settings = (await this.client.api('/me/mailboxSettings').get()) as { timeZone?: string | null };
      return graphZoneToIana(settings.timeZone);
    } catch {
      return null;
    }
  }

  async listChanges(request: ChangeRequest): Promise<ChangePage> {
    const link = request.pageToken ?? request.cursor;
    let api = this.client.api(link ?? `${calendarPath(request.calendar)}/calendarView/delta`).header('Prefer', this.readPrefer);
    if (!link) api = api.query({ startDateTime: request.window.start.toISOString(), endDateTime: request.window.end.toISOString() });
    let body: GraphCollection<GraphEvent>;
    try {
      body = await graphCall('delta', () => api.get());
    } catch (error) {
      // A page link of a full listing expired: nothing to resync from, just list again (the job retries).
      if (isAppError(error, 'provider.cursor_invalid') && request.cursor === null) {
        throw new AppError('provider.unavailable', 'The delta listing expired between pages; it starts over', { retryable: true, cause: error });
      }
      throw error;
    }
    const changes: ProviderChange[] = [];
    for (const item of body.value ?? []) {
      if (!item?.id) continue;
      changes.push(isRemoved(item) ? { type: 'delete', providerEventId: item.id } : { type: 'upsert', event: toProviderEvent(item, this.mapping) });
    }
    const nextPageToken = body['@odata.nextLink'] ?? null;
    const nextCursor = nextPageToken ? null : (body['@odata.deltaLink'] ?? null);
    if (!nextPageToken && !nextCursor) throw new AppError('provider.unavailable', 'Graph delta page without nextLink or deltaLink', { retryable: true });
    return { changes, nextPageToken, nextCursor };
  }

  async getEvent(_calendar: ProviderCalendarRef, providerEventId: string): Promise<ProviderEvent | null> {
    try {
      const event: GraphEvent = await graphCall('read', () => this.client.api(eventPath(providerEventId)).header('Prefer', this.readPrefer).get());
      return toProviderEvent(event, this.mapping);
    } catch (error) {
      if (isAppError(error, 'provider.not_found')) return null;
      throw error;
    }
  }

  async createEvent(calendar: ProviderCalendarRef, draft: EventDraft): Promise<ProviderEvent> {
    // transactionId makes a repeated POST (after a 503) return the first event instead of a duplicate.
    const body = { ...draftToGraph(draft), transactionId: randomUUID() };
    const created: GraphEvent = await graphCall('write', () =>
      this.client.api(`${calendarPath(calendar)}/events`).header('Prefer', this.readPrefer).middlewareOptions([new IdempotentRequest()]).post(body),
    );
    return toProviderEvent(created, this.mapping);
  }

  async updateEvent(_calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options: WriteOptions = {}): Promise<ProviderEvent> {
    const body = draftToGraph(draft);
    let api = this.client.api(eventPath(providerEventId)).header('Prefer', this.readPrefer);
    if (options.etag) api = api.header('If-Match', options.etag);
    const updated: GraphEvent = await graphCall('write', () => api.patch(body));
    return toProviderEvent(updated, this.mapping);
  }

  async deleteEvent(_calendar: ProviderCalendarRef, providerEventId: string, options: WriteOptions = {}): Promise<void> {
    let api = this.client.api(eventPath(providerEventId));
    if (options.etag) api = api.header('If-Match', options.etag);
    try {
      await graphCall('delete', () => api.delete());
    } catch (error) {
      if (!isAppError(error, 'provider.not_found')) throw error;
    }
  }

  private expiration(ttlSeconds: number): string {
    const minutes = Math.max(1, Math.min(Math.floor(ttlSeconds / 60), GRAPH_SUBSCRIPTION_MAX_MINUTES - 1));
    return new Date(this.clock.now().getTime() + minutes * 60_000).toISOString();
  }

  private expiresAt(subscription: GraphSubscription, requested: string): Date {
    return new Date(graphTimestampMs(subscription.expirationDateTime) ?? Date.parse(requested));
  }

  /** Graph validates `notificationUrl` (and the lifecycle URL) with a handshake before it answers 201. */
  async subscribe(request: PushSubscribeRequest): Promise<PushSubscription> {
    const expirationDateTime = this.expiration(request.ttlSeconds);
    const body = {
      changeType: 'created,updated,deleted',
      notificationUrl: request.address,
      ...(request.lifecycleAddress ? { lifecycleNotificationUrl: request.lifecycleAddress } : {}),
      resource: `me/calendars/${request.calendar.providerCalendarId}/events`,
      expirationDateTime,
      clientState: request.secret,
      latestSupportedTlsVersion: 'v1_2',
    };
    const created: GraphSubscription = await graphCall('subscription', () => this.client.api('/subscriptions').post(body));
    return { channelId: created.id, resourceId: null, expiresAt: this.expiresAt(created, expirationDateTime) };
  }

  /** Extends in place (same id, same clientState); a subscription Graph already dropped is created anew. */
  async renew(current: PushSubscription, request: PushSubscribeRequest): Promise<PushSubscription> {
    const expirationDateTime = this.expiration(request.ttlSeconds);
    try {
      const renewed: GraphSubscription = await graphCall('subscription', () =>
        this.client.api(`/subscriptions/${encodeURIComponent(current.channelId)}`).patch({ expirationDateTime }),
      );
      return { channelId: current.channelId, resourceId: null, expiresAt: this.expiresAt(renewed ?? { id: current.channelId }, expirationDateTime) };
    } catch (error) {
      if (isAppError(error, 'provider.not_found')) return this.subscribe(request);
      throw error;
    }
  }

  async unsubscribe(_calendar: ProviderCalendarRef, subscription: PushSubscription): Promise<void> {
    try {
      await graphCall('subscription', () => this.client.api(`/subscriptions/${encodeURIComponent(subscription.channelId)}`).delete());
    } catch (error) {
      if (!isAppError(error, 'provider.not_found')) throw error;
    }
  }
}
