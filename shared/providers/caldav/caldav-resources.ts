import { isAppError } from '../../domain/app-error.ts';
import type { ProviderEvent } from '../../domain/calendar-event.ts';
import type { Log } from '../../ports/log.ts';
import type { CalendarResource } from './caldav-client.ts';
import { parseCalendarResource } from './ical/index.ts';

export interface ResourceReading {
  /** IANA zone of the calendar, for floating times. */
  calendarTimeZone: string | null;
  /** Lower-cased addresses of the account (user name, principal e-mails): attendees and organizers matching them are `self`. */
  selfAddresses: ReadonlySet<string>;
  log: Log;
}

function isSelf(email: string | null, reading: ResourceReading): boolean {
  return email !== null && reading.selfAddresses.has(email.toLowerCase());
}

/**
 * Every event of one CalDAV resource, with `resourceId` = its href and the resource's etag on each event
 * (one PUT replaces them all, so they share it). A resource that is not iCalendar at all yields null (the
 * caller treats it as holding no events) and a warning, never an exception: one bad object must not stop a
 * calendar's sync.
 */
export function readResource(resource: CalendarResource, reading: ResourceReading): ProviderEvent[] | null {
  let events: ProviderEvent[];
  try {
    const parsed = parseCalendarResource(resource.data, { resourceId: resource.href, etag: resource.etag, calendarTimeZone: reading.calendarTimeZone });
    if (parsed.warnings.length) reading.log.debug('calendar object read with repairs', { href: resource.href, warnings: parsed.warnings.slice(0, 5) });
    events = parsed.events;
  } catch (error) {
    if (!isAppError(error, 'provider.input_invalid')) throw error;
    reading.log.warn('skipping a calendar object that is not iCalendar', { href: resource.href });
    return null;
  }
  if (reading.selfAddresses.size === 0) return events;
  return events.map((event) => ({
    ...event,
    organizer: event.organizer ? { ...event.organizer, self: isSelf(event.organizer.email, reading) } : null,
    attendees: event.attendees.map((attendee) => ({ ...attendee, self: isSelf(attendee.email, reading) })),
  }));
}

/** `UID` or `UID#RECURRENCE-ID` (the parser's ids) → the UID part. */
export function uidOfEventId(providerEventId: string): string {
  const hash = providerEventId.lastIndexOf('#');
  return hash > 0 && /^\d{8}(T\d{6}Z)?$/.test(providerEventId.slice(hash + 1)) ? providerEventId.slice(0, hash) : providerEventId;
}

/** The RECURRENCE-ID part of an override id (`20240108T140000Z` or `20240108`), or null for a master/single id. */
export function recurrenceIdOfEventId(providerEventId: string): string | null {
  const uid = uidOfEventId(providerEventId);
  return uid === providerEventId ? null : providerEventId.slice(uid.length + 1);
}

/** The file name we give a new resource: its UID, made safe for a URL path segment. */
export function resourceNameFor(uid: string): string {
  return `${encodeURIComponent(uid).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}.ics`;
}
