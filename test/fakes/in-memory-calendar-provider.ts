import { AppError } from '../../shared/domain/app-error.ts';
import { createHash } from 'node:crypto';
import type { EventDraft, EventTime, ProviderEvent } from '../../shared/domain/calendar-event.ts';
import type { PushCapability, TimeRange } from '../../shared/domain/calendar.ts';
import { blocksOwnerTime, eventIntervalUtc } from '../../shared/domain/event-time.ts';
import { CalendarRecurrenceExpander } from '../../shared/recurrence/calendar-recurrence-expander.ts';
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
} from '../../shared/ports/calendar-provider.ts';

interface LogEntry {
  seq: number;
  calendarId: string;
  providerEventId: string;
}

/**
 * An in-memory provider with real cursor semantics: a change log per calendar, opaque cursors and page
 * tokens, deletions in incremental rounds, a switch that expires cursors, and injectable faults. It is the
 * reference implementation of the CalendarProvider contract and the fast provider for engine tests.
 */
export class InMemoryCalendarProvider implements CalendarProvider {
  readonly kind = 'google' as const;
  readonly push: PushCapability;
  pageSize: number;
  /** How `queryBusy` answers: the events of the range (as CalDAV and Graph do) or computed intervals (as Google does). */
  busyAnswer: 'events' | 'intervals';
  calls = 0;
  /** Every `queryBusy` call: calendar and range. */
  readonly busyQueries: { providerCalendarId: string; range: TimeRange }[] = [];
  private seq = 0;
  private epoch = 1;
  private readonly calendars = new Map<string, ProviderCalendar>();
  private readonly events = new Map<string, Map<string, ProviderEvent>>();
  private readonly log: LogEntry[] = [];
  private readonly faults: AppError[] = [];
  /** Writes that happen and then lose their answer (the caller sees `provider.unavailable`). */
  private lostAnswers = 0;
  /** Answers lost so far. */
  lostAnswerCount = 0;
  private nextId = 1;

  constructor(options: { pageSize?: number; push?: PushCapability; busyAnswer?: 'events' | 'intervals' } = {}) {
    this.pageSize = options.pageSize ?? 50;
    this.push = options.push ?? 'none';
    this.busyAnswer = options.busyAnswer ?? 'events';
  }

  // --- the user's side (tests mutate the truth as a user would in the provider's UI) ---

  addCalendar(calendar: Partial<ProviderCalendar> & { providerCalendarId: string }): void {
    this.calendars.set(calendar.providerCalendarId, { name: calendar.providerCalendarId, description: null, timeZone: 'UTC', color: null, isPrimary: false, readOnly: false, supportsEvents: true, ...calendar });
    this.events.set(calendar.providerCalendarId, new Map());
  }

  upsertAsUser(calendarId: string, event: ProviderEvent): ProviderEvent {
    const stored = { ...event, etag: `"${++this.seq}"`, updated: new Date(Date.UTC(2026, 0, 1) + this.seq * 1000).toISOString() };
    this.bucket(calendarId).set(event.providerEventId, stored);
    this.log.push({ seq: this.seq, calendarId, providerEventId: event.providerEventId });
    return stored;
  }

  deleteAsUser(calendarId: string, providerEventId: string): void {
    if (!this.bucket(calendarId).delete(providerEventId)) return;
    this.log.push({ seq: ++this.seq, calendarId, providerEventId });
  }

  truth(calendarId: string): ProviderEvent[] {
    return [...this.bucket(calendarId).values()];
  }

  /** Every cursor handed out so far answers `cursor_invalid` from now on. */
  expireCursors(): void {
    this.epoch += 1;
  }

  /** The next `count` writes take effect, then their answer is lost (as after a timeout). */
  loseNextAnswers(count = 1): void {
    this.lostAnswers += count;
  }

  private answerOrLose<T>(value: T): T {
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      this.lostAnswerCount += 1;
      throw new AppError('provider.unavailable', 'The answer was lost after the write', { retryable: true });
    }
    return value;
  }

  /** The next provider calls fail with these errors, in order. */
  failNext(...errors: AppError[]): void {
    this.faults.push(...errors);
  }

  // --- the port ---

  async listCalendars(): Promise<ProviderCalendar[]> {
    this.beginCall();
    return [...this.calendars.values()];
  }

  async listChanges(request: ChangeRequest): Promise<ChangePage> {
    this.beginCall();
    const calendarId = request.calendar.providerCalendarId;
    const [cursorEpoch = 0, since = -1] = request.cursor ? this.decode(request.cursor, 'c') : [this.epoch, -1];
    if (cursorEpoch !== this.epoch) throw new AppError('provider.cursor_invalid', 'The sync cursor expired', { retryable: false });
    // A page token pins the round to the log position where it began, like Google's page tokens do.
    const [, offset = 0, upTo = this.seq] = request.pageToken ? this.decode(request.pageToken, 'p') : [];

    let items: { id: string; event: ProviderEvent | null }[];
    if (since < 0) {
      items = [...this.bucket(calendarId).values()]
        .filter((event) => event.kind === 'master' || overlaps(event, request.window))
        .map((event) => ({ id: event.providerEventId, event }));
    } else {
      const changed = new Set(this.log.filter((entry) => entry.calendarId === calendarId && entry.seq > since && entry.seq <= upTo).map((entry) => entry.providerEventId));
      items = [...changed].map((id) => ({ id, event: this.bucket(calendarId).get(id) ?? null }));
    }
    items.sort((a, b) => (a.id < b.id ? -1 : 1));
    const slice = items.slice(offset, offset + this.pageSize);
    const changes = slice.map((item) => (item.event ? { type: 'upsert' as const, event: item.event } : { type: 'delete' as const, providerEventId: item.id }));
    const more = offset + this.pageSize < items.length;
    return {
      changes,
      nextPageToken: more ? this.encode('p', this.epoch, offset + this.pageSize, upTo) : null,
      nextCursor: more ? null : this.encode('c', this.epoch, upTo),
    };
  }

  async getEvent(calendar: ProviderCalendarRef, providerEventId: string): Promise<ProviderEvent | null> {
    this.beginCall();
    return this.bucket(calendar.providerCalendarId).get(providerEventId) ?? null;
  }

  /** Like Google with a client-chosen id: the same key names the same event, a repeat returns it. */
  async createEvent(calendar: ProviderCalendarRef, draft: EventDraft, options: CreateOptions = {}): Promise<ProviderEvent> {
    this.beginCall();
    const id = options.key ? `fake-${createHash('sha256').update(options.key).digest('hex').slice(0, 20)}` : `fake-${this.nextId++}`;
    const existing = this.bucket(calendar.providerCalendarId).get(id);
    if (existing) return existing;
    return this.answerOrLose(this.upsertAsUser(calendar.providerCalendarId, fromDraft(id, draft)));
  }

  /** For `<series>_<20261207T090000Z|20261207>` of a stored master: the instance's series facts. */
  private instanceOf(calendarId: string, providerEventId: string): Pick<ProviderEvent, 'kind' | 'recurringEventId' | 'originalStart'> & { recurringEventId: string } | null {
    const match = /^(.+)_(\d{8})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(providerEventId);
    const master = match ? this.bucket(calendarId).get(match[1]!) : undefined;
    if (!match || master?.kind !== 'master') return null;
    const date = `${match[2]!.slice(0, 4)}-${match[2]!.slice(4, 6)}-${match[2]!.slice(6, 8)}`;
    const originalStart = match[3] ? { dateTime: `${date}T${match[3]}:${match[4]}:${match[5]}Z`, timeZone: 'timeZone' in master.start ? master.start.timeZone : null } : { date };
    return { kind: 'exception', recurringEventId: master.providerEventId, originalStart };
  }

  async instanceId(_calendar: ProviderCalendarRef, seriesProviderEventId: string, originalStart: EventTime): Promise<string | null> {
    const at = 'date' in originalStart ? originalStart.date.replaceAll('-', '') : new Date(Date.parse(originalStart.dateTime)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    return `${seriesProviderEventId}_${at}`;
  }

  async readAsSynced(calendar: ProviderCalendarRef, providerEventId: string, _window: TimeRange): Promise<ProviderChange[]> {
    this.beginCall();
    const event = this.bucket(calendar.providerCalendarId).get(providerEventId);
    return event ? [{ type: 'upsert', event }] : [{ type: 'delete', providerEventId }];
  }

  async updateEvent(calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options: WriteOptions = {}): Promise<ProviderEvent> {
    this.beginCall();
    const current = this.bucket(calendar.providerCalendarId).get(providerEventId);
    if (!current) {
      // An instance of a series (Google-style id `<series>_<original start>`) becomes an exception.
      const instance = this.instanceOf(calendar.providerCalendarId, providerEventId);
      if (!instance) throw new AppError('provider.not_found', 'No such event', { retryable: false });
      return this.answerOrLose(this.upsertAsUser(calendar.providerCalendarId, { ...fromDraft(providerEventId, draft), ...instance, recurrence: null }));
    }
    if (options.etag && options.etag !== current.etag) throw new AppError('provider.precondition_failed', 'The event changed', { retryable: false });
    // Patch semantics, as every provider: a draft without `recurrence` keeps the series' rule.
    const kept =
      current.kind === 'exception'
        ? { kind: current.kind, recurringEventId: current.recurringEventId, originalStart: current.originalStart, recurrence: null }
        : draft.recurrence === undefined
          ? { kind: current.kind, recurrence: current.recurrence }
          : {};
    return this.answerOrLose(this.upsertAsUser(calendar.providerCalendarId, { ...fromDraft(providerEventId, draft), iCalUID: current.iCalUID, ...kept }));
  }

  async deleteEvent(calendar: ProviderCalendarRef, providerEventId: string, options: WriteOptions = {}): Promise<void> {
    this.beginCall();
    const current = this.bucket(calendar.providerCalendarId).get(providerEventId);
    if (current && options.etag && options.etag !== current.etag) throw new AppError('provider.precondition_failed', 'The event changed', { retryable: false });
    const instance = this.instanceOf(calendar.providerCalendarId, providerEventId);
    if (instance) {
      // Cancelling one instance leaves a cancelled exception, as Google does.
      const master = this.bucket(calendar.providerCalendarId).get(instance.recurringEventId)!;
      this.upsertAsUser(calendar.providerCalendarId, { ...(current ?? master), providerEventId, ...instance, status: 'cancelled', recurrence: null });
      return;
    }
    this.deleteAsUser(calendar.providerCalendarId, providerEventId);
  }

  async subscribe(request: PushSubscribeRequest): Promise<PushSubscription> {
    this.beginCall();
    if (this.push === 'none') throw new AppError('provider.input_invalid', 'This provider has no push', { retryable: false });
    return { channelId: request.channelId, resourceId: `res-${request.channelId}`, expiresAt: new Date(Date.now() + request.ttlSeconds * 1000) };
  }

  async renew(_current: PushSubscription, request: PushSubscribeRequest): Promise<PushSubscription> {
    return this.subscribe(request);
  }

  async unsubscribe(_calendar: ProviderCalendarRef, _subscription: PushSubscription): Promise<void> {
    this.beginCall();
  }

  /**
   * The events that may overlap the range (masters and their exceptions whole), or, with `busyAnswer:
   * 'intervals'`, the busy intervals they stand for, computed with our expander in the calendar's zone.
   */
  async queryBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy> {
    this.busyQueries.push({ providerCalendarId: calendar.providerCalendarId, range });
    this.beginCall();
    const all = [...this.bucket(calendar.providerCalendarId).values()];
    const seriesIds = new Set(all.filter((event) => event.kind === 'master').map((event) => event.providerEventId));
    const events = all.filter((event) => event.kind === 'master' || (event.recurringEventId !== null && seriesIds.has(event.recurringEventId)) || overlaps(event, range));
    if (this.busyAnswer === 'events') return { kind: 'events', events };
    const stored = events.map((event) => ({ ...event, tenantId: 'fake', connectionId: 'fake', calendarId: calendar.providerCalendarId, id: event.providerEventId, contentHash: '' }));
    const zone = this.calendars.get(calendar.providerCalendarId)?.timeZone ?? calendar.timeZone;
    const occurrences = new CalendarRecurrenceExpander().expand(stored, range, () => zone);
    return { kind: 'intervals', intervals: occurrences.filter((o) => blocksOwnerTime(o.event)).map((o) => ({ startMs: o.startMs, endMs: o.endMs })) };
  }

  private beginCall(): void {
    this.calls += 1;
    const fault = this.faults.shift();
    if (fault) throw fault;
  }

  private bucket(calendarId: string): Map<string, ProviderEvent> {
    const bucket = this.events.get(calendarId);
    if (!bucket) throw new AppError('provider.not_found', `No calendar ${calendarId}`, { retryable: false });
    return bucket;
  }

  private encode(kind: string, ...numbers: number[]): string {
    return Buffer.from(`${kind}:${numbers.join(':')}`).toString('base64url');
  }

  private decode(token: string, kind: string): number[] {
    const [prefix, ...rest] = Buffer.from(token, 'base64url').toString('utf8').split(':');
    if (prefix !== kind || rest.some((n) => !/^-?\d+$/.test(n))) throw new AppError('provider.cursor_invalid', 'Unreadable token', { retryable: false });
    return rest.map(Number);
  }
}

function overlaps(event: ProviderEvent, window: { start: Date; end: Date }): boolean {
  const { startMs, endMs } = eventIntervalUtc(event.status === 'cancelled' && event.originalStart ? { start: event.originalStart, end: event.originalStart } : event, 'UTC');
  return startMs < window.end.getTime() && endMs >= window.start.getTime();
}

export function fromDraft(providerEventId: string, draft: EventDraft): ProviderEvent {
  return {
    providerEventId,
    resourceId: null,
    iCalUID: `${providerEventId}@fake`,
    kind: draft.recurrence?.length ? 'master' : 'single',
    title: draft.title,
    description: draft.description ?? null,
    location: draft.location ?? null,
    start: draft.start,
    end: draft.end,
    status: 'confirmed',
    transparency: draft.transparency ?? 'opaque',
    organizer: null,
    attendees: (draft.attendees ?? []).map((a) => ({ email: a.email, name: a.name ?? null, responseStatus: 'needs_action', optional: a.optional ?? false, organizer: false, self: false })),
    recurrence: draft.recurrence?.length ? draft.recurrence : null,
    recurringEventId: null,
    originalStart: null,
    conference: null,
    etag: null,
    updated: null,
  };
}
