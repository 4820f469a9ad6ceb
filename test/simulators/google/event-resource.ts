import { conferenceView } from './conference.ts';
import { instanceTimes, originalStartOf } from './series.ts';
import type { CalendarRecord, EventDateTime, EventInput, EventRecord, GoogleEvent, InstanceRef, TimeValue } from './types.ts';
import { formatDate, formatInZone } from './zone-time.ts';

/**
 * Renders stored records as Google returns them. Times come back in the response zone (the `timeZone`
 * parameter, else the calendar's), with the event's own `timeZone` alongside: clients must read the offset,
 * not assume it matches `timeZone`. Tombstones carry only what providers.md item 8 guarantees.
 */
export interface RenderContext {
  calendar: CalendarRecord;
  zone: string;
}

export function renderTime(time: TimeValue, zoneField: string | null, outputZone: string): EventDateTime {
  if (time.allDay) return { date: formatDate(time.day) };
  return zoneField ? { dateTime: formatInZone(time.ms, outputZone), timeZone: zoneField } : { dateTime: formatInZone(time.ms, outputZone) };
}

function htmlLink(eventId: string, calendarId: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${eventId} ${calendarId}`).toString('base64url')}`;
}

function baseFields(record: EventRecord, ctx: RenderContext): GoogleEvent {
  const { calendar } = ctx;
  const event: GoogleEvent = {
    kind: 'calendar#event',
    etag: record.etag,
    id: record.id,
    status: record.status,
    htmlLink: htmlLink(record.id, calendar.id),
    created: record.created,
    updated: record.updated,
    ...structuredClone(record.fields),
    creator: { email: calendar.owner, self: true },
    organizer: calendar.primary ? { email: calendar.id, self: true } : { email: calendar.id, displayName: calendar.summary, self: true },
    start: renderTime(record.start, record.startZone, ctx.zone),
    end: renderTime(record.end, record.endZone, ctx.zone),
    iCalUID: record.iCalUID,
    sequence: record.sequence,
    reminders: (record.fields.reminders as GoogleEvent['reminders']) ?? { useDefault: true },
    eventType: 'default',
  };
  // Google omits defaults.
  if (event.transparency === 'opaque') delete event.transparency;
  if (event.visibility === 'default') delete event.visibility;
  const conference = conferenceView(record.conference);
  if (conference) {
    event.conferenceData = conference.conferenceData;
    if (conference.hangoutLink) event.hangoutLink = conference.hangoutLink;
  }
  return event;
}

/** A live single, master or exception (exceptions carry `recurringEventId` + `originalStartTime`). */
export function renderRecord(record: EventRecord, ctx: RenderContext): GoogleEvent {
  if (record.deleted) return renderTombstone(record);
  if (record.type === 'exception' && record.status === 'cancelled') return renderCancelledException(record, ctx);
  return renderFull(record, ctx);
}

/** Every field of a record whatever its status (the base a write merges into). */
export function renderFull(record: EventRecord, ctx: RenderContext): GoogleEvent {
  const event = baseFields(record, ctx);
  if (record.recurrence) event.recurrence = [...record.recurrence];
  if (record.type === 'exception' && record.recurringEventId && record.originalStart) {
    event.recurringEventId = record.recurringEventId;
    event.originalStartTime = renderTime(record.originalStart, record.startZone, ctx.zone);
  }
  return event;
}

/** A deleted event: only `id` (and status) is guaranteed. */
export function renderTombstone(record: Pick<EventRecord, 'id' | 'etag'>): GoogleEvent {
  return { kind: 'calendar#event', etag: record.etag, id: record.id, status: 'cancelled' };
}

/** A cancelled instance of a live series: `id, recurringEventId, originalStartTime`. */
export function renderCancelledException(record: EventRecord, ctx: RenderContext): GoogleEvent {
  const event: GoogleEvent = { kind: 'calendar#event', etag: record.etag, id: record.id, status: 'cancelled' };
  if (record.recurringEventId) event.recurringEventId = record.recurringEventId;
  if (record.originalStart) event.originalStartTime = renderTime(record.originalStart, record.startZone, ctx.zone);
  return event;
}

/** A cancelled instance without a stored record (the series or rule changed): same guaranteed fields. */
export function renderCancelledInstance(master: EventRecord | undefined, ref: InstanceRef, etag: string, ctx: RenderContext): GoogleEvent {
  const original: TimeValue = ref.allDay ? { allDay: true, day: Math.round(ref.key / 86_400_000) } : { allDay: false, ms: ref.key, zone: master?.startZone ?? null };
  return {
    kind: 'calendar#event',
    etag,
    id: ref.id,
    status: 'cancelled',
    recurringEventId: ref.masterId,
    originalStartTime: renderTime(original, master?.startZone ?? null, ctx.zone),
  };
}

/** An unmodified instance of a live master. */
export function renderInstance(master: EventRecord, ref: InstanceRef, ctx: RenderContext): GoogleEvent {
  const event = baseFields(master, ctx);
  const times = instanceTimes(master, ref.key);
  event.id = ref.id;
  event.start = renderTime(times.start, master.startZone, ctx.zone);
  event.end = renderTime(times.end, master.endZone, ctx.zone);
  event.recurringEventId = master.id;
  event.originalStartTime = renderTime(originalStartOf(master, ref.key), master.startZone, ctx.zone);
  event.htmlLink = htmlLink(ref.id, ctx.calendar.id);
  return event;
}

/** The writable view of an event, the base a PATCH merges into. */
export function inputView(event: GoogleEvent): EventInput {
  const view: EventInput = { ...(structuredClone(event) as Record<string, unknown>) };
  for (const key of ['kind', 'etag', 'id', 'htmlLink', 'created', 'updated', 'creator', 'organizer', 'iCalUID', 'sequence', 'recurringEventId', 'originalStartTime', 'hangoutLink', 'eventType']) {
    delete view[key];
  }
  return view;
}
