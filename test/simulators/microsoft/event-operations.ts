import { createHash, randomBytes } from 'node:crypto';
import { GraphHttpError, badRequest, malformedId, notFound } from './graph-error.ts';
import { parseDateTimeText } from './graph-time.ts';
import { newChangeKey, newEventId, newICalUId, parseItemId } from './ids.ts';
import type { MailboxStore } from './mailbox-store.ts';
import type { EventContent, ExceptionOverride, SimCalendar, SimUser, StoredEvent, ViewItem } from './model.ts';
import { occurrenceItem, spanOf } from './calendar-view.ts';
import { etagOf } from './event-render.ts';
import type { ParsedEventInput } from './event-input.ts';

/** What an event id addresses: a stored single event / series master, or one instance of a series. */
export type EventTarget = { kind: 'event'; event: StoredEvent } | { kind: 'instance'; item: ViewItem };

export interface TargetScope {
  userId: string;
  /** Set when the path goes through `/calendars/{id}/events/{eventId}`. */
  calendarId?: string;
}

const TIME_FIELDS = ['start', 'end', 'isAllDay'] as const;

function defaults(): EventContent {
  return {
    subject: '',
    body: { contentType: 'html', content: '' },
    location: { displayName: '' },
    start: { dateTime: '', timeZone: 'UTC' },
    end: { dateTime: '', timeZone: 'UTC' },
    isAllDay: false,
    showAs: 'busy',
    isCancelled: false,
    attendees: [],
    isOnlineMeeting: false,
    onlineMeetingProvider: 'unknown',
    onlineMeeting: null,
    importance: 'normal',
    sensitivity: 'normal',
    categories: [],
    isReminderOn: true,
    reminderMinutesBeforeStart: 15,
  };
}

function validateTimes(content: EventContent): void {
  if (!content.start.dateTime || !content.end.dateTime) throw badRequest('An event needs both start and end.', 'ErrorInvalidRequest');
  const { startMs, endMs } = spanOf({ start: content.start, end: content.end });
  if (endMs < startMs) throw badRequest('The end time of the event must not be before its start time.', 'ErrorInvalidRequest');
  if (content.isAllDay) {
    const midnight = (text: string) => parseDateTimeText(text)!.wall.hour === 0 && parseDateTimeText(text)!.wall.minute === 0 && parseDateTimeText(text)!.wall.second === 0;
    if (!midnight(content.start.dateTime) || !midnight(content.end.dateTime) || content.end.dateTime.slice(0, 10) <= content.start.dateTime.slice(0, 10)) {
      throw badRequest('Your request can\'t be completed. If the event is an all-day event, start and end must be at midnight and at least one day apart.', 'ErrorInvalidRequest');
    }
  }
}

/**
 * Matches `If-Match` the way Graph does for events: weak comparison of the `@odata.etag`; `*` matches any
 * existing item. A mismatch is 412 `ErrorIrresolvableConflict`.
 */
export function checkIfMatch(ifMatch: string | undefined, changeKey: string): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const strip = (value: string) => value.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (strip(ifMatch) === strip(etagOf(changeKey))) return;
  throw new GraphHttpError(412, 'ErrorIrresolvableConflict', 'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.');
}

/**
 * Creates, changes and deletes events as Outlook would, for both the HTTP routes and the direct test API.
 * Editing one instance of a series stores an exception override on the master; deleting one cancels it.
 */
export class EventOperations {
  private readonly store: MailboxStore;
  private readonly now: () => Date;

  constructor(store: MailboxStore, now: () => Date) {
    this.store = store;
    this.now = now;
  }

  resolve(id: string, scope: TargetScope): EventTarget {
    const parsed = parseItemId(id);
    if (!parsed || parsed.kind === 'calendar') throw malformedId();
    const inScope = (event: StoredEvent | undefined): event is StoredEvent =>
      !!event && event.userId === scope.userId && (scope.calendarId === undefined || event.calendarId === scope.calendarId);
    if (parsed.kind === 'event') {
      const event = this.store.event(parsed.id);
      if (!inScope(event)) throw notFound();
      return { kind: 'event', event };
    }
    const master = this.store.event(parsed.seriesMasterId);
    if (!inScope(master)) throw notFound();
    const item = occurrenceItem(master, parsed.originalStartMs);
    if (!item) throw notFound();
    return { kind: 'instance', item };
  }

  /** Returns the stored event, or the earlier one created with the same `transactionId` (Graph dedupes retries). */
  create(calendar: SimCalendar, user: SimUser, input: ParsedEventInput): StoredEvent {
    if (input.transactionId) {
      const existing = this.store.findByTransactionId(user.id, input.transactionId);
      if (existing) return existing;
    }
    const nowMs = this.now().getTime();
    const content: EventContent = { ...defaults(), ...input.content };
    validateTimes(content);
    const organizer = input.organizer ?? { name: user.displayName, address: user.mail };
    const isOrganizer = organizer.address.toLowerCase() === user.mail.toLowerCase();
    const event: StoredEvent = {
      ...this.withMeeting(content, input, null, user),
      id: newEventId(),
      calendarId: calendar.id,
      userId: user.id,
      iCalUId: newICalUId(),
      transactionId: input.transactionId ?? null,
      organizer: { emailAddress: organizer },
      isOrganizer,
      responseStatus: { response: isOrganizer ? 'organizer' : 'notResponded', time: '0001-01-01T00:00:00Z' },
      recurrence: input.recurrence ? this.withRecurrenceZone(input.recurrence, content) : null,
      changeKey: newChangeKey(),
      createdMs: nowMs,
      lastModifiedMs: nowMs,
      exceptions: new Map(),
      cancelledOccurrences: new Set(),
    };
    this.store.put(event);
    return event;
  }

  update(target: EventTarget, input: ParsedEventInput, user: SimUser, ifMatch?: string): EventTarget {
    if (target.kind === 'instance') return this.updateInstance(target.item, input, user, ifMatch);
    const current = target.event;
    checkIfMatch(ifMatch, current.changeKey);
    const content: EventContent = { ...current, ...input.content };
    validateTimes(content);
    let recurrence = input.recurrence === undefined ? current.recurrence : input.recurrence && this.withRecurrenceZone(input.recurrence, content);
    const timesChanged = TIME_FIELDS.some((field) => input.content[field] !== undefined);
    if (recurrence && input.recurrence === undefined && input.content.start) {
      // Moving a series to another day moves the pattern's start with it.
      const newStartDate = content.start.dateTime.slice(0, 10);
      if (newStartDate !== current.start.dateTime.slice(0, 10)) recurrence = { ...recurrence, range: { ...recurrence.range, startDate: newStartDate } };
    }
    const nowMs = this.now().getTime();
    // Changing the time or pattern of a series resets its exceptions, as Outlook does.
    const resetInstances = !recurrence || timesChanged || input.recurrence !== undefined;
    const exceptions = resetInstances
      ? new Map<number, ExceptionOverride>()
      : new Map([...current.exceptions].map(([key, override]) => [key, { ...override, changeKey: newChangeKey(), lastModifiedMs: nowMs }]));
    const updated: StoredEvent = {
      ...current,
      ...this.withMeeting(content, input, current, user),
      recurrence,
      changeKey: newChangeKey(),
      lastModifiedMs: nowMs,
      exceptions,
      cancelledOccurrences: resetInstances ? new Set() : current.cancelledOccurrences,
    };
    this.store.put(updated);
    return { kind: 'event', event: updated };
  }

  delete(target: EventTarget, ifMatch?: string): void {
    if (target.kind === 'event') {
      checkIfMatch(ifMatch, target.event.changeKey);
      this.store.remove(target.event.id);
      return;
    }
    const { item } = target;
    checkIfMatch(ifMatch, item.changeKey);
    const master = item.event;
    const exceptions = new Map(master.exceptions);
    exceptions.delete(item.originalStartMs!);
    this.store.put({
      ...master,
      changeKey: newChangeKey(),
      lastModifiedMs: this.now().getTime(),
      exceptions,
      cancelledOccurrences: new Set([...master.cancelledOccurrences, item.originalStartMs!]),
    });
  }

  private updateInstance(item: ViewItem, input: ParsedEventInput, user: SimUser, ifMatch?: string): EventTarget {
    checkIfMatch(ifMatch, item.changeKey);
    if (input.recurrence !== undefined) throw badRequest('The recurrence of an occurrence cannot be set; change the series master instead.');
    const master = item.event;
    const originalStartMs = item.originalStartMs!;
    const previous = master.exceptions.get(originalStartMs)?.fields ?? {};
    const content: EventContent = { ...item.content, ...input.content };
    validateTimes(content);
    const meeting = this.withMeeting(content, input, item.content, user);
    const fields: Partial<EventContent> = { ...previous, ...input.content };
    if (input.content.isOnlineMeeting !== undefined || input.content.onlineMeetingProvider !== undefined) {
      fields.isOnlineMeeting = meeting.isOnlineMeeting;
      fields.onlineMeetingProvider = meeting.onlineMeetingProvider;
      fields.onlineMeeting = meeting.onlineMeeting;
    }
    const nowMs = this.now().getTime();
    const exceptions = new Map(master.exceptions).set(originalStartMs, { fields, changeKey: newChangeKey(), lastModifiedMs: nowMs });
    const updated: StoredEvent = { ...master, changeKey: newChangeKey(), lastModifiedMs: nowMs, exceptions };
    this.store.put(updated);
    return { kind: 'instance', item: occurrenceItem(updated, originalStartMs)! };
  }

  /** `isOnlineMeeting:true` gets a Teams join URL (the calendar's default provider, item 39). */
  private withMeeting(content: EventContent, input: ParsedEventInput, previous: EventContent | null, user: SimUser): EventContent {
    // A mailbox that cannot host Teams (a personal account, Teams not licensed) silently drops the request.
    const unsupportedProvider = input.content.onlineMeetingProvider === 'unknown' || !(user.onlineMeetingProviders ?? ['teamsForBusiness']).includes('teamsForBusiness');
    if (!content.isOnlineMeeting || unsupportedProvider) return { ...content, isOnlineMeeting: false, onlineMeetingProvider: 'unknown', onlineMeeting: null };
    const joinUrl = previous?.onlineMeeting?.joinUrl ?? teamsJoinUrl(user);
    // Audio conferencing: a conference id and a toll number (fictional), as Graph shows them when licensed.
    const conferenceId = previous?.onlineMeeting?.conferenceId ?? String(100_000_000 + (createHash('sha256').update(joinUrl).digest().readUInt32BE(0) % 900_000_000));
    return { ...content, onlineMeetingProvider: 'teamsForBusiness', onlineMeeting: { joinUrl, conferenceId, tollNumber: '+1 425-555-0199', tollFreeNumbers: [] } };
  }

  private withRecurrenceZone(recurrence: NonNullable<StoredEvent['recurrence']>, content: EventContent): NonNullable<StoredEvent['recurrence']> {
    if (recurrence.range.recurrenceTimeZone) return recurrence;
    return { ...recurrence, range: { ...recurrence.range, recurrenceTimeZone: content.start.timeZone } };
  }
}

function teamsJoinUrl(user: SimUser): string {
  const thread = `19%3ameeting_${randomBytes(36).toString('base64url')}%40thread.v2`;
  const context = encodeURIComponent(JSON.stringify({ Tid: user.tenantId, Oid: user.id }));
  return `https://teams.microsoft.com/l/meetup-join/${thread}/0?context=${context}`;
}
