import { createHash, randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import { isAllDay } from '../../domain/calendar-event.ts';
import type { TimeRange } from '../../domain/calendar.ts';
import { compactDate, formatUtcDateTime } from '../../recurrence/recurrence-lines.ts';
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
import type { Log } from '../../ports/log.ts';
import { listCaldavChanges } from './caldav-changes.ts';
import type { CalendarResource, CaldavClient } from './caldav-client.ts';
import { discoverAccount, listCalendarCollections, type CaldavAccount } from './caldav-discovery.ts';
import { applyDraft, cancelOccurrence, overrideFromMaster, overridesPastUntil } from './caldav-event-edits.ts';
import { patchResource } from './caldav-patch.ts';
import { readResource, recurrenceIdOfEventId, resourceNameFor, uidOfEventId, type ResourceReading } from './caldav-resources.ts';
import { draftToResource, serializeCalendarResource } from './ical/index.ts';

export interface CaldavProviderOptions {
  client: CaldavClient;
  /** The server URL the user connected (discovery starts there). */
  serverUrl: string;
  /** Addresses of the account (user name, e-mails), lower-cased; matching attendees are `self`. */
  selfAddresses: Iterable<string>;
  log: Log;
  /** Hrefs per calendar-multiget (default 100). */
  multigetBatch?: number;
  now?: () => Date;
}

/** The UID (and so the href) of an object created under a key: the same key, the same resource. */
export function caldavUidFor(key: string): string {
  return `${createHash('sha256').update(`caldav-object:${key}`).digest('hex').slice(0, 40)}@calendar-integrations`;
}

interface LocatedResource extends CalendarResource {
  events: ProviderEvent[];
}

/**
 * CalDAV (and iCloud) behind the CalendarProvider port. No push: the engine polls, and an unchanged
 * calendar costs one sync-collection REPORT (providers.md C45) or one ctag PROPFIND on servers without it.
 * Changes are per resource (an href holds a master and its overrides). Writes are conditional PUT/DELETE
 * (create `If-None-Match: *`, update/delete `If-Match`), updates are read-modify-write of the whole
 * resource that keep what other clients stored (see `patchResource`).
 */
export class CaldavCalendarProvider implements CalendarProvider {
  readonly kind = 'caldav' as const;
  readonly push = 'none' as const;
  private readonly options: CaldavProviderOptions;
  private readonly client: CaldavClient;
  private readonly selfAddresses: ReadonlySet<string>;
  /** UID → href, learnt from listings and lookups (per collection), so reads by id skip the search. */
  private readonly hrefs = new Map<string, string>();
  private account: CaldavAccount | null = null;

  constructor(options: CaldavProviderOptions) {
    this.options = options;
    this.client = options.client;
    this.selfAddresses = new Set([...options.selfAddresses].map((a) => a.toLowerCase()));
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private reading(calendar: ProviderCalendarRef): ResourceReading {
    return { calendarTimeZone: calendar.timeZone, selfAddresses: this.selfAddresses, log: this.options.log };
  }

  /** Principal and home of the account (discovered once per provider instance). */
  async discover(): Promise<CaldavAccount> {
    this.account ??= await discoverAccount(this.client, this.options.serverUrl);
    return this.account;
  }

  async listCalendars(): Promise<ProviderCalendar[]> {
    const account = await this.discover();
    return listCalendarCollections(this.client, account.homeUrl);
  }

  async listChanges(request: ChangeRequest): Promise<ChangePage> {
    const page = await listCaldavChanges({ client: this.client, reading: this.reading(request.calendar), ...(this.options.multigetBatch ? { batchSize: this.options.multigetBatch } : {}) }, request);
    for (const change of page.changes) {
      if (change.type === 'replaceResource') for (const event of change.events) this.remember(request.calendar, uidOfEventId(event.providerEventId), change.resourceId);
    }
    if (this.hrefs.size > 50_000) this.hrefs.clear();
    return page;
  }

  private key(calendar: ProviderCalendarRef, uid: string): string {
    return `${calendar.providerCalendarId}\n${uid}`;
  }

  private remember(calendar: ProviderCalendarRef, uid: string, href: string): void {
    this.hrefs.set(this.key(calendar, uid), href);
  }

  private located(calendar: ProviderCalendarRef, resource: CalendarResource | null, uid: string): LocatedResource | null {
    if (!resource) return null;
    const events = readResource(resource, this.reading(calendar)) ?? [];
    if (!events.some((event) => uidOfEventId(event.providerEventId) === uid)) return null;
    this.remember(calendar, uid, resource.href);
    return { ...resource, events };
  }

  /**
   * The resource holding `uid`: the href learnt from the last listing, else `<uid>.ics` (what we and most
   * clients name new objects), else a calendar-query on UID (servers match substrings; we compare exactly).
   */
  private async findResource(calendar: ProviderCalendarRef, uid: string): Promise<LocatedResource | null> {
    const collection = calendar.providerCalendarId;
    const known = this.hrefs.get(this.key(calendar, uid));
    const guesses = [...new Set([known, new URL(resourceNameFor(uid), collection).pathname].filter((h): h is string => Boolean(h)))];
    for (const href of guesses) {
      const found = this.located(calendar, await this.client.get(collection, href), uid);
      if (found) return found;
    }
    for (const resource of await this.client.queryByUid(collection, uid)) {
      const found = this.located(calendar, resource, uid);
      if (found) return found;
    }
    this.hrefs.delete(this.key(calendar, uid));
    return null;
  }

  async getEvent(calendar: ProviderCalendarRef, providerEventId: string): Promise<ProviderEvent | null> {
    const resource = await this.findResource(calendar, uidOfEventId(providerEventId));
    const event = resource?.events.find((e) => e.providerEventId === providerEventId);
    return event && event.status !== 'cancelled' ? event : null;
  }

  /**
   * PUT with `If-None-Match: *` on an href derived from the key (RFC 4791 §5.3.2): a repeat after a lost
   * answer meets 412, reads the object back and returns it when it holds our UID — never a second object.
   * One quick repeat of a transient failure is made here, since the repeat is safe.
   */
  async createEvent(calendar: ProviderCalendarRef, draft: EventDraft, options: CreateOptions = {}): Promise<ProviderEvent> {
    const uid = caldavUidFor(options.key ?? randomUUID());
    const href = new URL(resourceNameFor(uid), calendar.providerCalendarId).pathname;
    const data = draftToResource(draft, uid, { now: this.now() });
    for (let attempt = 0; ; attempt++) {
      try {
        const { etag } = await this.client.put(calendar.providerCalendarId, href, data, { ifNoneMatch: true });
        this.remember(calendar, uid, href);
        const events = await this.stored(calendar, { href, etag, data }, uid);
        const created = events.find((e) => e.providerEventId === uid);
        if (!created) throw new AppError('provider.unavailable', 'CalDAV: the created event could not be read back', { retryable: true });
        return created;
      } catch (error) {
        if (isAppError(error, 'provider.precondition_failed')) {
          const existing = this.located(calendar, await this.client.get(calendar.providerCalendarId, href), uid)?.events.find((e) => e.providerEventId === uid);
          if (existing) return existing;
          throw new AppError('provider.precondition_failed', `CalDAV: ${href} already holds another object`, { retryable: false, cause: error });
        }
        if (isAppError(error, 'provider.unavailable') && attempt === 0) continue;
        throw error;
      }
    }
  }

  /** The events of a resource we just wrote: from what we sent when the server kept it (strong ETag), else read back (C47). */
  private async stored(calendar: ProviderCalendarRef, written: { href: string; etag: string | null; data: string }, uid: string): Promise<ProviderEvent[]> {
    if (written.etag) return readResource({ href: written.href, etag: written.etag, data: written.data }, this.reading(calendar)) ?? [];
    const reread = await this.client.get(calendar.providerCalendarId, written.href);
    if (!reread) throw new AppError('provider.not_found', 'CalDAV: the resource vanished right after it was written', { retryable: false });
    return this.located(calendar, reread, uid)?.events ?? [];
  }

  /** Writes a changed resource with If-Match: `expected` when the caller gave one, else the version we read. */
  private async rewrite(calendar: ProviderCalendarRef, resource: LocatedResource, upsert: ProviderEvent[], remove: string[], expected: string | null | undefined): Promise<ProviderEvent[]> {
    const now = this.now();
    const kept = resource.events.filter((e) => !remove.includes(e.providerEventId) && !upsert.some((u) => u.providerEventId === e.providerEventId));
    const data = patchResource(resource.data, { upsert, remove, now }) ?? serializeCalendarResource([...kept, ...upsert], { now });
    const ifMatch = expected ?? resource.etag ?? '*';
    const { etag } = await this.client.put(calendar.providerCalendarId, resource.href, data, { ifMatch });
    const uid = uidOfEventId(upsert[0]?.providerEventId ?? resource.events[0]!.providerEventId);
    return this.stored(calendar, { href: resource.href, etag, data }, uid);
  }

  async updateEvent(calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options: WriteOptions = {}): Promise<ProviderEvent> {
    const uid = uidOfEventId(providerEventId);
    const resource = await this.findResource(calendar, uid);
    if (!resource) throw new AppError('provider.not_found', `CalDAV: no event ${providerEventId}`, { retryable: false });
    let target = resource.events.find((e) => e.providerEventId === providerEventId);
    const recurrenceId = recurrenceIdOfEventId(providerEventId);
    if (!target && recurrenceId) {
      // Editing one occurrence that has no override yet: the override is created from the series.
      const master = resource.events.find((e) => e.kind === 'master');
      if (master) target = overrideFromMaster(master, providerEventId, recurrenceId);
    }
    if (!target) throw new AppError('provider.not_found', `CalDAV: no event ${providerEventId}`, { retryable: false });
    const updated = applyDraft(target, draft, this.now());
    // A series cut short (a `following` split) drops the overrides of instances it no longer has.
    const dropped = updated.kind === 'master' && draft.recurrence ? overridesPastUntil(resource.events, updated) : [];
    const events = await this.rewrite(calendar, resource, [updated], dropped, options.etag);
    const written = events.find((e) => e.providerEventId === providerEventId);
    if (!written) throw new AppError('provider.unavailable', 'CalDAV: the updated event could not be read back', { retryable: true });
    return written;
  }

  /**
   * Deleting a master or single event deletes its resource (If-Match when an etag is given; already gone
   * is success). Deleting one occurrence rewrites the resource: the override (if any) goes and the master
   * gets an EXDATE, which every client understands.
   */
  async deleteEvent(calendar: ProviderCalendarRef, providerEventId: string, options: WriteOptions = {}): Promise<void> {
    const uid = uidOfEventId(providerEventId);
    const resource = await this.findResource(calendar, uid);
    if (!resource) return;
    const recurrenceId = recurrenceIdOfEventId(providerEventId);
    const master = resource.events.find((e) => e.kind === 'master');
    const remaining = resource.events.filter((e) => e.providerEventId !== providerEventId);
    if (!recurrenceId || remaining.length === 0) {
      await this.client.delete(calendar.providerCalendarId, resource.href, options.etag ?? null);
      this.hrefs.delete(this.key(calendar, uid));
      return;
    }
    const upsert = master ? [cancelOccurrence(master, recurrenceId, this.now())] : [];
    await this.rewrite(calendar, resource, upsert, [providerEventId], options.etag);
  }

  /** Override ids are `UID#RECURRENCE-ID` with the original start in UTC (or the date), as the parser names them. */
  async instanceId(_calendar: ProviderCalendarRef, seriesProviderEventId: string, originalStart: EventTime): Promise<string | null> {
    const key = isAllDay(originalStart) ? compactDate(originalStart.date) : formatUtcDateTime(Date.parse(originalStart.dateTime));
    return `${uidOfEventId(seriesProviderEventId)}#${key}`;
  }

  /** A sync sees the whole resource: the master and its overrides, or the resource gone. */
  async readAsSynced(calendar: ProviderCalendarRef, providerEventId: string, _window: TimeRange): Promise<ProviderChange[]> {
    const uid = uidOfEventId(providerEventId);
    const known = this.hrefs.get(this.key(calendar, uid));
    const resource = await this.findResource(calendar, uid);
    if (resource) return [{ type: 'replaceResource', resourceId: resource.href, events: resource.events }];
    return known ? [{ type: 'deleteResource', resourceId: known }] : [{ type: 'delete', providerEventId: uid }];
  }

  /**
   * The resources overlapping the range from one `calendar-query` REPORT with a time-range filter, read as
   * sync reads them (every VEVENT of a matching resource: the master with all its overrides), so our
   * recurrence code expands series and our busy rule applies: TRANSP:TRANSPARENT is free, STATUS:CANCELLED
   * and PARTSTAT=DECLINED of the account's own address never block. Not `free-busy-query`: its VFREEBUSY is
   * the server's view and ignores who declined.
   */
  async queryBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    const resources = await this.client.queryTimeRange(calendar.providerCalendarId, range.start, range.end);
    const events: ProviderEvent[] = [];
    for (const resource of resources) events.push(...(readResource(resource, this.reading(calendar)) ?? []));
    return { kind: 'events', events };
  }

  async subscribe(_request: PushSubscribeRequest): Promise<PushSubscription> {
    throw new AppError('provider.input_invalid', 'CalDAV has no push; its calendars are polled', { retryable: false });
  }

  async renew(_current: PushSubscription, _request: PushSubscribeRequest): Promise<PushSubscription> {
    throw new AppError('provider.input_invalid', 'CalDAV has no push; its calendars are polled', { retryable: false });
  }

  async unsubscribe(_calendar: ProviderCalendarRef, _subscription: PushSubscription): Promise<void> {
    throw new AppError('provider.input_invalid', 'CalDAV has no push; its calendars are polled', { retryable: false });
  }
}
