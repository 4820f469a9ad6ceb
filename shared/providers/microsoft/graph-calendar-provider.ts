import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import type { TimeRange } from '../../domain/calendar.ts';
import { zoneOffsetMs } from '../../domain/time-zone.ts';
import type {
  CalendarProvider,
  ChangePage,
  ChangeRequest,
  CreateOptions,
  ProviderBusy,
  ProviderCalendar,
  ProviderCalendarRef,
  ProviderChange,
  PushSubscribeRequest,
  PushSubscription,
  WriteOptions,
} from '../../ports/calendar-provider.ts';
import type { Clock } from '../../ports/clock.ts';
import { graphCall } from './graph-errors.ts';
import { draftExclusions, draftToGraph } from './graph-event-writer.ts';
import type { Exclusion } from './graph-recurrence.ts';
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
/** Upper bound of calendarView pages in one live busy listing (up to GRAPH_MAX_PAGE_SIZE items each). */
const MAX_BUSY_VIEW_PAGES = 50;
/** What the busy rules and the mapper read of a calendarView item (Graph honours `$select`; bodies stay home). */
const BUSY_VIEW_FIELDS = [
  'id', 'type', 'seriesMasterId', 'originalStart', 'originalStartTimeZone', 'originalEndTimeZone',
  'start', 'end', 'isAllDay', 'isCancelled', 'showAs', 'attendees', 'organizer', 'isOrganizer',
];

export interface GraphCalendarProviderOptions {
  client: Client;
  clock: Clock;
  /** The mailbox's own address: marks the attendee that is the user. */
  accountEmail: string | null;
  maxPageSize?: number;
}

const calendarPath = (calendar: ProviderCalendarRef) => `/me/calendars/${encodeURIComponent(calendar.providerCalendarId)}`;
const eventPath = (providerEventId: string) => `/me/events/${encodeURIComponent(providerEventId)}`;
const DAY_MS = 86_400_000;
/** Upper bound of instance-list pages read for one series write. */
const MAX_INSTANCE_PAGES = 50;

/** A Graph `transactionId` (a GUID) derived from a creation key: the same key, the same transaction. */
export function graphTransactionIdFor(key: string): string {
  const hex = createHash('sha256').update(`graph-transaction:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

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

  /**
   * The online meeting services a calendar may add (`allowedOnlineMeetingProviders`): only work/school
   * mailboxes with Teams list `teamsForBusiness` (providers.md item 39). Not part of the calendar port:
   * the Teams video adapter asks it before promising a Teams link.
   */
  async onlineMeetingProviders(calendar: ProviderCalendarRef): Promise<string[]> {
    const body: GraphCalendar = await graphCall('read', () => this.client.api(calendarPath(calendar)).select('id,allowedOnlineMeetingProviders').get());
    return body.allowedOnlineMeetingProviders ?? [];
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
    const timeZone = (await this.mailboxTimeZone()) ?? (await this.zoneOfEvents(calendars));
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

  /**
   * Without MailboxSettings.Read (we do not ask for it) the mailbox zone is unreadable, but Outlook records
   * on every event the zone it was written in (`originalStartTimeZone`; replies with `Prefer:
   * outlook.timezone` only echo the zone we asked for). The zone most of the recently modified events of the
   * default calendar were written in stands for the mailbox's; an empty calendar hands over to the next (at
   * most three are asked). Null when no event names a zone we know; best effort like the mailbox read.
   */
  private async zoneOfEvents(calendars: readonly GraphCalendar[]): Promise<string | null> {
    const ordered = [...calendars.filter((c) => c.isDefaultCalendar === true), ...calendars.filter((c) => c.isDefaultCalendar !== true)].slice(0, 3);
    for (const calendar of ordered) {
      let events: GraphEvent[];
      try {
        const body = (await this.client
          .api(`/me/calendars/${encodeURIComponent(calendar.id)}/events`)
          .query({ $select: 'originalStartTimeZone', $orderby: 'lastModifiedDateTime desc', $top: '25' })
          .get()) as GraphCollection<GraphEvent>;
        events = body.value ?? [];
      } catch {
        continue;
      }
      const counts = new Map<string, number>();
      for (const event of events) {
        const zone = graphZoneToIana(event.originalStartTimeZone);
        if (zone) counts.set(zone, (counts.get(zone) ?? 0) + 1);
      }
      // Ties go to the zone seen first, i.e. on the most recently modified event.
      let best: string | null = null;
      for (const [zone, count] of counts) if (best === null || count > counts.get(best)!) best = zone;
      if (best) return best;
    }
    return null;
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

  /**
   * POST with a `transactionId` derived from the key: Graph answers a repeated POST (after a lost answer, a
   * 503, a crash) with the first event instead of a second one. Graph has no EXDATE, so a series' excluded
   * instances are cancelled (deleted) right after the pattern is written; that step is idempotent too.
   */
  async createEvent(calendar: ProviderCalendarRef, draft: EventDraft, options: CreateOptions = {}): Promise<ProviderEvent> {
    const exclusions = draftExclusions(draft);
    const body = { ...draftToGraph(draft), transactionId: graphTransactionIdFor(options.key ?? randomUUID()) };
    const created: GraphEvent = await graphCall('write', () =>
      this.client.api(`${calendarPath(calendar)}/events`).header('Prefer', this.readPrefer).middlewareOptions([new IdempotentRequest()]).post(body),
    );
    if (exclusions.length === 0 || created.type !== 'seriesMaster') return toProviderEvent(created, this.mapping);
    return this.cancelExcluded(created.id, exclusions);
  }

  async updateEvent(_calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options: WriteOptions = {}): Promise<ProviderEvent> {
    const body = draftToGraph(draft);
    const exclusions = draftExclusions(draft);
    if (draft.recurrence === undefined) {
      // Sending a series' start and end (even unchanged) makes Outlook reset its exceptions and cancelled
      // instances: a series whose times stay as they are is patched without them.
      const current = await this.readEvent(providerEventId).catch(() => null);
      if (current?.kind === 'master' && JSON.stringify([current.start, current.end]) === JSON.stringify([draft.start, draft.end])) {
        delete body.start;
        delete body.end;
        delete body.isAllDay;
      }
    }
    let api = this.client.api(eventPath(providerEventId)).header('Prefer', this.readPrefer);
    if (options.etag) api = api.header('If-Match', options.etag);
    const updated: GraphEvent = await graphCall('write', () => api.patch(body));
    // A new pattern resets the series' instances (Outlook does): the excluded ones are cancelled again.
    if (exclusions.length === 0 || updated.type !== 'seriesMaster') return toProviderEvent(updated, this.mapping);
    return this.cancelExcluded(updated.id, exclusions);
  }

  /** Occurrences and exceptions of a series whose instances overlap [startMs, endMs), as Graph lists them. */
  private async instancesOf(seriesId: string, startMs: number, endMs: number): Promise<GraphEvent[]> {
    const items: GraphEvent[] = [];
    let link: string | null = null;
    for (let page = 0; page < MAX_INSTANCE_PAGES; page++) {
      const api = link
        ? this.client.api(link).header('Prefer', this.readPrefer)
        : this.client.api(`${eventPath(seriesId)}/instances`).header('Prefer', this.readPrefer).query({ startDateTime: new Date(startMs).toISOString(), endDateTime: new Date(endMs).toISOString() });
      const body: GraphCollection<GraphEvent> = await graphCall('read', () => api.get());
      items.push(...(body.value ?? []));
      link = body['@odata.nextLink'] ?? null;
      if (!link) break;
    }
    return items;
  }

  private static originalStartMatches(instance: ProviderEvent, exclusion: Exclusion, zone: string): boolean {
    const original = instance.originalStart;
    if (!original) return false;
    if ('date' in original) return exclusion.kind === 'date' ? original.date === exclusion.date : Date.parse(`${original.date}T00:00:00Z`) === exclusion.utcMs;
    const ms = Date.parse(original.dateTime);
    if (exclusion.kind === 'instant') return ms === exclusion.utcMs;
    return new Date(ms + zoneOffsetMs(zone, ms)).toISOString().slice(0, 10) === exclusion.date;
  }

  /** Deletes the instances the EXDATEs name (already cancelled ones are simply not listed), then reads the master. */
  private async cancelExcluded(seriesId: string, exclusions: readonly Exclusion[]): Promise<ProviderEvent> {
    const master = await this.readEvent(seriesId);
    const zone = master.start && 'timeZone' in master.start ? (master.start.timeZone ?? 'UTC') : 'UTC';
    const times = exclusions.map((e) => (e.kind === 'instant' ? e.utcMs : Date.parse(`${e.date}T00:00:00Z`)));
    const instances = (await this.instancesOf(seriesId, Math.min(...times) - DAY_MS, Math.max(...times) + 2 * DAY_MS)).map((item) => toProviderEvent(item, this.mapping));
    let cancelled = 0;
    for (const instance of instances) {
      if (!exclusions.some((exclusion) => GraphCalendarProvider.originalStartMatches(instance, exclusion, zone))) continue;
      await this.deleteEvent({ providerCalendarId: '', timeZone: null }, instance.providerEventId);
      cancelled += 1;
    }
    return cancelled > 0 ? this.readEvent(seriesId) : master;
  }

  private async readEvent(providerEventId: string): Promise<ProviderEvent> {
    const event: GraphEvent = await graphCall('read', () => this.client.api(eventPath(providerEventId)).header('Prefer', this.readPrefer).get());
    return toProviderEvent(event, this.mapping);
  }

  /** Graph instance ids are opaque: the series' instances around the original start are listed and matched. */
  async instanceId(_calendar: ProviderCalendarRef, seriesProviderEventId: string, originalStart: EventTime): Promise<string | null> {
    const atMs = 'date' in originalStart ? Date.parse(`${originalStart.date}T00:00:00Z`) : Date.parse(originalStart.dateTime);
    const exclusion: Exclusion = 'date' in originalStart ? { kind: 'date', date: originalStart.date } : { kind: 'instant', utcMs: atMs };
    const instances = (await this.instancesOf(seriesProviderEventId, atMs - DAY_MS, atMs + 2 * DAY_MS)).map((item) => toProviderEvent(item, this.mapping));
    const zone = 'date' in originalStart ? 'UTC' : (originalStart.timeZone ?? 'UTC');
    return instances.find((instance) => GraphCalendarProvider.originalStartMatches(instance, exclusion, zone))?.providerEventId ?? null;
  }

  /**
   * Delta lists a series as its occurrences and exceptions, never as the master: a master is read as its
   * instances inside the window; anything else as itself; what is gone as a deletion.
   */
  async readAsSynced(_calendar: ProviderCalendarRef, providerEventId: string, window: TimeRange): Promise<ProviderChange[]> {
    let event: GraphEvent;
    try {
      event = await graphCall('read', () => this.client.api(eventPath(providerEventId)).header('Prefer', this.readPrefer).get());
    } catch (error) {
      if (isAppError(error, 'provider.not_found')) return [{ type: 'delete', providerEventId }];
      throw error;
    }
    if (event.type !== 'seriesMaster') return [{ type: 'upsert', event: toProviderEvent(event, this.mapping) }];
    const instances = await this.instancesOf(event.id, window.start.getTime(), window.end.getTime());
    return instances.map((item) => ({ type: 'upsert' as const, event: toProviderEvent(item, this.mapping) }));
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

  /**
   * The calendar's items in the range from `calendarView` (Graph expands series into occurrences and
   * exceptions, drops cancelled occurrences), mapped as sync maps them, so our busy rule decides: `showAs`
   * free is transparent, a cancelled meeting and one the mailbox owner declined never block. Chosen over
   * `getSchedule`, which answers for a whole mailbox (its default calendar), not for one calendar, needs the
   * mailbox's SMTP address, caps ranges at 62 days and reports only Graph's own status per block.
   */
  async queryBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    const events: ProviderEvent[] = [];
    let link: string | null = null;
    for (let page = 0; page < MAX_BUSY_VIEW_PAGES; page++) {
      let api = this.client.api(link ?? `${calendarPath(calendar)}/calendarView`).header('Prefer', this.readPrefer);
      if (!link) api = api.query({ startDateTime: range.start.toISOString(), endDateTime: range.end.toISOString() }).select(BUSY_VIEW_FIELDS);
      const body: GraphCollection<GraphEvent> = await graphCall('read', () => api.get());
      for (const item of body.value ?? []) if (item?.id) events.push(toProviderEvent(item, this.mapping));
      link = body['@odata.nextLink'] ?? null;
      if (!link) return { kind: 'events', events };
    }
    throw new AppError('provider.unavailable', `Graph calendarView: more than ${MAX_BUSY_VIEW_PAGES} pages for one busy query`, { retryable: false });
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
