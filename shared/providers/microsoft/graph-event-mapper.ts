import { AppError } from '../../domain/app-error.ts';
import type { Attendee, Conference, EventKind, EventStatus, EventTime, ProviderEvent, ResponseStatus } from '../../domain/calendar-event.ts';
import { recurrenceLinesOf, type SeriesStart } from './graph-recurrence.ts';
import { addDays, formatInstant, graphDateOf, graphTimestampMs, graphZoneToIana, timedEventTime } from './graph-time.ts';
import type { GraphAttendee, GraphEvent } from './graph-types.ts';

export interface MappingContext {
  /** The connected mailbox's address, to mark the attendee that is the user (`self`). */
  accountEmail: string | null;
}

const KINDS: Record<string, EventKind> = { singleInstance: 'single', occurrence: 'occurrence', exception: 'exception', seriesMaster: 'master' };

const RESPONSES: Record<string, ResponseStatus> = {
  accepted: 'accepted',
  organizer: 'accepted',
  declined: 'declined',
  tentativelyAccepted: 'tentative',
};

const ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

/** Outlook bodies are HTML unless asked for text: keep the text, paragraphs as new lines. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\r\n/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function description(event: GraphEvent): string | null {
  const content = event.body?.content ?? '';
  const text = event.body?.contentType?.toLowerCase() === 'html' ? htmlToText(content) : content.trim();
  return text === '' ? null : text;
}

function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return Boolean(a && b && a.toLowerCase() === b.toLowerCase());
}

function attendeeOf(attendee: GraphAttendee, organizerEmail: string | null, context: MappingContext): Attendee {
  const email = attendee.emailAddress?.address ?? null;
  return {
    email,
    name: attendee.emailAddress?.name ?? null,
    responseStatus: RESPONSES[attendee.status?.response ?? ''] ?? 'needs_action',
    optional: attendee.type === 'optional',
    organizer: sameAddress(email, organizerEmail),
    self: sameAddress(email, context.accountEmail),
  };
}

function statusOf(event: GraphEvent): EventStatus {
  if (event.isCancelled) return 'cancelled';
  return event.showAs === 'tentative' ? 'tentative' : 'confirmed';
}

function conferenceOf(event: GraphEvent): Conference | null {
  const joinUrl = event.onlineMeeting?.joinUrl ?? null;
  if (!joinUrl && !event.isOnlineMeeting) return null;
  const provider = event.onlineMeetingProvider === 'teamsForBusiness' || (joinUrl !== null && /teams\.microsoft\.com/i.test(joinUrl)) ? 'teams' : 'other';
  // Audio conferencing (when the tenant has it): the toll number, then the toll-free ones; Graph names no country.
  const numbers = [event.onlineMeeting?.tollNumber, ...(event.onlineMeeting?.tollFreeNumbers ?? [])].filter((n): n is string => typeof n === 'string' && n.length > 0);
  const dialIn = numbers.map((number) => ({ number, country: null }));
  return { provider, url: joinUrl, id: event.onlineMeeting?.conferenceId ?? null, status: joinUrl ? 'ready' : 'pending', ...(dialIn.length > 0 ? { dialIn } : {}) };
}

function malformed(event: GraphEvent, what: string): AppError {
  return new AppError('provider.unavailable', `Graph event ${event.id} has no readable ${what}`, { retryable: false });
}

function timesOf(event: GraphEvent, startZone: string | null, endZone: string | null): { start: EventTime; end: EventTime } {
  if (event.isAllDay) {
    const startDate = graphDateOf(event.start);
    if (!startDate) throw malformed(event, 'start');
    const endDate = graphDateOf(event.end);
    return { start: { date: startDate }, end: { date: endDate && endDate > startDate ? endDate : addDays(startDate, 1) } };
  }
  const start = timedEventTime(event.start, startZone);
  if (!start) throw malformed(event, 'start');
  return { start, end: timedEventTime(event.end, endZone) ?? start };
}

function originalStartOf(event: GraphEvent, start: EventTime, zone: string | null): EventTime | null {
  if (event.type !== 'occurrence' && event.type !== 'exception') return null;
  if (!event.originalStart) return start;
  if (event.isAllDay) return { date: event.originalStart.slice(0, 10) };
  const ms = graphTimestampMs(event.originalStart);
  return ms === null ? start : { dateTime: formatInstant(ms), timeZone: zone };
}

function seriesStartOf(start: EventTime): SeriesStart {
  if ('date' in start) return { kind: 'date', date: start.date };
  return { kind: 'timed', utcMs: Date.parse(start.dateTime), zone: start.timeZone ?? 'UTC' };
}

/**
 * A Graph event (read with `Prefer: outlook.timezone="UTC"`) as our normalized ProviderEvent. The instant
 * comes from `start/end`; the zone the organizer meant from `originalStartTimeZone` (Windows or IANA names).
 */
export function toProviderEvent(event: GraphEvent, context: MappingContext): ProviderEvent {
  // The zone Graph wrote the times in is the one we asked for, not the organizer's: only a fallback when the
  // event names none at all. A custom (unnamed) zone is null.
  const startZone = event.originalStartTimeZone ? graphZoneToIana(event.originalStartTimeZone) : event.isAllDay ? null : graphZoneToIana(event.start?.timeZone);
  const endZone = event.originalEndTimeZone ? graphZoneToIana(event.originalEndTimeZone) : startZone;
  const { start, end } = timesOf(event, startZone, endZone);
  const kind = KINDS[event.type ?? ''] ?? 'single';
  const organizerEmail = event.organizer?.emailAddress?.address ?? null;
  const updatedMs = graphTimestampMs(event.lastModifiedDateTime);
  return {
    providerEventId: event.id,
    resourceId: null,
    iCalUID: event.iCalUId ?? null,
    kind,
    title: event.subject ?? null,
    description: description(event),
    location: event.location?.displayName || null,
    start,
    end,
    status: statusOf(event),
    transparency: event.showAs === 'free' ? 'transparent' : 'opaque',
    organizer: event.organizer?.emailAddress
      ? { email: organizerEmail, name: event.organizer.emailAddress.name ?? null, self: event.isOrganizer ?? sameAddress(organizerEmail, context.accountEmail) }
      : null,
    attendees: (event.attendees ?? []).map((attendee) => attendeeOf(attendee, organizerEmail, context)),
    recurrence: kind === 'master' ? recurrenceLinesOf(event.recurrence, seriesStartOf(start)) : null,
    recurringEventId: kind === 'occurrence' || kind === 'exception' ? (event.seriesMasterId ?? null) : null,
    originalStart: originalStartOf(event, start, startZone),
    conference: conferenceOf(event),
    etag: event['@odata.etag'] ?? (event.changeKey ? `W/"${event.changeKey}"` : null),
    updated: updatedMs === null ? null : formatInstant(updatedMs),
  };
}

/** Whether a delta item is a tombstone (`{"id":…,"@removed":{"reason":"deleted"}}`). */
export function isRemoved(event: GraphEvent): boolean {
  return event['@removed'] !== undefined && event['@removed'] !== null;
}


