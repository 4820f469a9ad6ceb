import { AppError } from '../../../domain/app-error.ts';
import type { EventDraft, EventTime, ProviderEvent } from '../../../domain/calendar-event.ts';
import { isAllDay } from '../../../domain/calendar-event.ts';
import { resolveTimeZoneName } from '../../../domain/windows-time-zones.ts';
import type { RecurrenceValue } from '../../../recurrence/recurrence-lines.ts';
import {
  THIS_AND_FUTURE,
  compactDate,
  formatLocalDateTime,
  formatRule,
  formatUtcDateTime,
  parseRecurrenceLines,
  parseRule,
} from '../../../recurrence/recurrence-lines.ts';
import { zoneOffsets } from '../../../recurrence/zone-offsets.ts';
import { escapeText, joinLines, paramValue } from './content-lines.ts';
import { buildVTimezone } from './vtimezone-writer.ts';

export interface SerializeOptions {
  /** DTSTAMP of every component; defaults to now. */
  now?: Date;
  prodId?: string;
}

const DEFAULT_PRODID = '-//calendar-integrations//EN';
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Z']);

/** The IANA zone a timed value is written in, or null for UTC (`Z`). */
function writeZone(time: EventTime): string | null {
  if (isAllDay(time) || !time.timeZone) return null;
  const zone = resolveTimeZoneName(time.timeZone);
  return zone && !UTC_ZONES.has(zone) ? zone : null;
}

function timeProperty(name: string, time: EventTime, extraParams = ''): string {
  if (isAllDay(time)) return `${name};VALUE=DATE${extraParams}:${compactDate(time.date)}`;
  const zone = writeZone(time);
  const utcMs = Date.parse(time.dateTime);
  if (!zone) return `${name}${extraParams}:${formatUtcDateTime(utcMs)}`;
  return `${name};TZID=${paramValue(zone)}${extraParams}:${formatLocalDateTime(zoneOffsets(zone).utcToLocal(utcMs))}`;
}

/**
 * True when `time`'s wall clock in its zone is the second of a repeated hour (a DST fall-back): RFC 5545
 * §3.3.5 has readers take the first, so that wall time with TZID would name another instant.
 */
function isSecondOfRepeatedWallTime(time: EventTime): boolean {
  const zone = writeZone(time);
  if (!zone || isAllDay(time)) return false;
  const offsets = zoneOffsets(zone);
  const utcMs = Date.parse(time.dateTime);
  return offsets.localToUtc(offsets.utcToLocal(utcMs)) !== utcMs;
}

/** An exact RFC 5545 duration (hours, minutes, seconds: no nominal days, so no DST arithmetic on reading). */
function exactDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return seconds === 0 ? 'PT0S' : `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

/**
 * DTSTART and DTEND (or DURATION) of a component. A time in the second of a repeated hour cannot be written as
 * wall time with TZID: a start is then written in UTC (the instant is kept, the zone label becomes the
 * reader's UTC zone), except a master's, whose rule must keep expanding in wall time; an end is written as an
 * exact DURATION from a start in the same zone (read back with that zone and instant), else in UTC.
 */
function startAndEnd(event: ProviderEvent): string[] {
  const { start, end } = event;
  const startInUtc = event.kind !== 'master' && isSecondOfRepeatedWallTime(start);
  const startLine = timeProperty('DTSTART', startInUtc ? inUtc(start) : start);
  if (isAllDay(end) || !isSecondOfRepeatedWallTime(end)) return [startLine, timeProperty('DTEND', end)];
  if (!startInUtc && !isAllDay(start) && writeZone(start) === writeZone(end)) {
    return [startLine, `DURATION:${exactDuration(Date.parse(end.dateTime) - Date.parse(start.dateTime))}`];
  }
  return [startLine, timeProperty('DTEND', inUtc(end))];
}

/** The same instant labelled UTC (written with `Z`); dates stay as they are. */
function inUtc(time: EventTime): EventTime {
  return isAllDay(time) ? time : { dateTime: time.dateTime, timeZone: 'UTC' };
}

function uidOf(event: ProviderEvent): string {
  if (event.iCalUID) return event.iCalUID;
  if (event.kind === 'exception' || event.kind === 'occurrence') return event.recurringEventId ?? event.providerEventId.split('#')[0] ?? event.providerEventId;
  return event.providerEventId;
}

/**
 * RRULE/EXRULE as they are (a floating UNTIL on a zoned series becomes UTC, as RFC 5545 requires);
 * RDATE/EXDATE rewritten in the master's TZID (dates stay dates), the form CalDAV clients match most reliably.
 */
function recurrenceProperties(lines: readonly string[], start: EventTime): string[] {
  const zone = writeZone(start);
  const out: string[] = [];
  for (const line of lines) {
    const name = line.slice(0, line.search(/[;:]/)).toUpperCase();
    if (name === 'RRULE' || name === 'EXRULE') {
      const rule = parseRule(line.slice(line.indexOf(':') + 1));
      if (!rule) continue;
      const until = rule.get('UNTIL');
      if (until && /T\d{6}$/.test(until) && !isAllDay(start)) {
        const local = Date.UTC(Number(until.slice(0, 4)), Number(until.slice(4, 6)) - 1, Number(until.slice(6, 8)), Number(until.slice(9, 11)), Number(until.slice(11, 13)), Number(until.slice(13, 15)));
        rule.set('UNTIL', formatUtcDateTime(zoneOffsets(zone ?? 'UTC').localToUtc(local)));
      }
      out.push(`${name}:${formatRule(rule)}`);
      continue;
    }
    if (name !== 'RDATE' && name !== 'EXDATE') continue;
    const set = parseRecurrenceLines([line], (tzid) => resolveTimeZoneName(tzid));
    const values = name === 'RDATE' ? set.rdates : set.exdates;
    const dates = values.filter((v): v is Extract<RecurrenceValue, { kind: 'date' }> => v.kind === 'date').map((v) => compactDate(v.date));
    const instants = values.flatMap((v): number[] => {
      if (v.kind === 'utc') return [v.utcMs];
      if (v.kind === 'local') return [zoneOffsets(v.zone ?? zone ?? 'UTC').localToUtc(v.localMs)];
      return [];
    });
    if (dates.length > 0) out.push(`${name};VALUE=DATE:${dates.join(',')}`);
    if (instants.length > 0) {
      out.push(
        zone
          ? `${name};TZID=${paramValue(zone)}:${instants.map((ms) => formatLocalDateTime(zoneOffsets(zone).utcToLocal(ms))).join(',')}`
          : `${name}:${instants.map(formatUtcDateTime).join(',')}`,
      );
    }
  }
  return out;
}

const PARTSTAT = { needs_action: 'NEEDS-ACTION', accepted: 'ACCEPTED', declined: 'DECLINED', tentative: 'TENTATIVE' } as const;
const STATUS = { confirmed: 'CONFIRMED', tentative: 'TENTATIVE', cancelled: 'CANCELLED' } as const;

function veventLines(event: ProviderEvent, uid: string, stamp: string): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${escapeText(uid)}`, `DTSTAMP:${stamp}`];
  const isOverride = event.kind === 'exception' || event.kind === 'occurrence';
  if (isOverride && event.originalStart) {
    const range = event.recurrence?.length === 1 && event.recurrence[0] === THIS_AND_FUTURE ? ';RANGE=THISANDFUTURE' : '';
    // The instance it replaces is matched by instant: one in a repeated hour is named in UTC.
    const original = isSecondOfRepeatedWallTime(event.originalStart) ? inUtc(event.originalStart) : event.originalStart;
    lines.push(timeProperty('RECURRENCE-ID', original, range));
  }
  lines.push(...startAndEnd(event));
  if (!isOverride && event.recurrence) lines.push(...recurrenceProperties(event.recurrence, event.start));
  if (event.title !== null) lines.push(`SUMMARY:${escapeText(event.title)}`);
  if (event.description !== null) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location !== null) lines.push(`LOCATION:${escapeText(event.location)}`);
  lines.push(`STATUS:${STATUS[event.status]}`);
  lines.push(`TRANSP:${event.transparency === 'transparent' ? 'TRANSPARENT' : 'OPAQUE'}`);
  if (event.organizer) {
    const cn = event.organizer.name ? `;CN=${paramValue(event.organizer.name)}` : '';
    lines.push(`ORGANIZER${cn}:${event.organizer.email ? `mailto:${event.organizer.email}` : 'invalid:nomail'}`);
  }
  for (const attendee of event.attendees) {
    const params = [
      attendee.name ? `CN=${paramValue(attendee.name)}` : null,
      `ROLE=${attendee.optional ? 'OPT-PARTICIPANT' : 'REQ-PARTICIPANT'}`,
      `PARTSTAT=${PARTSTAT[attendee.responseStatus]}`,
      attendee.responseStatus === 'needs_action' ? 'RSVP=TRUE' : null,
    ].filter((p): p is string => p !== null);
    lines.push(`ATTENDEE;${params.join(';')}:${attendee.email ? `mailto:${attendee.email}` : 'invalid:nomail'}`);
  }
  if (event.conference?.url) {
    if (event.conference.provider === 'google_meet') lines.push(`X-GOOGLE-CONFERENCE:${event.conference.url}`);
    lines.push(`CONFERENCE;VALUE=URI;FEATURE=VIDEO:${event.conference.url}`);
  }
  if (event.updated) lines.push(`LAST-MODIFIED:${formatUtcDateTime(Date.parse(event.updated))}`);
  lines.push('END:VEVENT');
  return lines;
}

/** The years whose offsets a VTIMEZONE must describe for these events (from the first start to the last until, or two years on). */
function yearsUsed(events: readonly ProviderEvent[]): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const event of events) {
    for (const time of [event.start, event.end, event.originalStart]) {
      if (!time || isAllDay(time)) continue;
      const year = new Date(Date.parse(time.dateTime)).getUTCFullYear();
      from = Math.min(from, year);
      to = Math.max(to, year);
    }
    for (const line of event.recurrence ?? []) {
      const until = /UNTIL=(\d{4})/i.exec(line);
      if (/^RRULE/i.test(line)) to = Math.max(to, until ? Number(until[1]) : from + 2);
    }
  }
  return Number.isFinite(from) ? { from, to: Math.max(from, to) } : { from: 1970, to: 1970 };
}

/**
 * One CalDAV resource (one UID): the master or single event plus its exceptions, with a VTIMEZONE generated
 * from ICU for every zone used. All-day events are VALUE=DATE with an exclusive DTEND. The output parses
 * back (parseCalendarResource) to the same normalized events.
 */
export function serializeCalendarResource(events: readonly ProviderEvent[], options: SerializeOptions = {}): string {
  if (events.length === 0) throw new AppError('provider.input_invalid', 'A calendar resource needs at least one event', { retryable: false });
  const uid = uidOf(events.find((e) => e.kind === 'master' || e.kind === 'single') ?? (events[0] as ProviderEvent));
  for (const event of events) {
    if (uidOf(event) !== uid) throw new AppError('provider.input_invalid', 'A CalDAV resource holds events of one UID only', { retryable: false, details: { uid, other: uidOf(event) } });
  }
  const stamp = formatUtcDateTime(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const zones = new Set<string>();
  for (const event of events) {
    for (const time of [event.start, event.end, event.originalStart]) {
      const zone = time ? writeZone(time) : null;
      if (zone) zones.add(zone);
    }
  }
  const years = yearsUsed(events);
  const ordered = [...events].sort((a, b) => Number(a.kind === 'exception' || a.kind === 'occurrence') - Number(b.kind === 'exception' || b.kind === 'occurrence'));
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${options.prodId ?? DEFAULT_PRODID}`, 'CALSCALE:GREGORIAN'];
  for (const zone of [...zones].sort()) lines.push(...buildVTimezone(zone, years.from, years.to));
  for (const event of ordered) lines.push(...veventLines(event, uid, stamp));
  lines.push('END:VCALENDAR');
  return joinLines(lines);
}

/** A new CalDAV resource for an API draft (a single event, or a series when the draft has recurrence lines). */
export function draftToResource(draft: EventDraft, uid: string, options: SerializeOptions = {}): string {
  const recurrence = draft.recurrence && draft.recurrence.length > 0 ? draft.recurrence : null;
  const event: ProviderEvent = {
    providerEventId: uid,
    resourceId: null,
    iCalUID: uid,
    kind: recurrence ? 'master' : 'single',
    title: draft.title,
    description: draft.description ?? null,
    location: draft.location ?? null,
    start: draft.start,
    end: draft.end,
    status: 'confirmed',
    transparency: draft.transparency ?? 'opaque',
    organizer: null,
    attendees: (draft.attendees ?? []).map((a) => ({
      email: a.email,
      name: a.name ?? null,
      responseStatus: 'needs_action',
      optional: a.optional ?? false,
      organizer: false,
      self: false,
    })),
    recurrence,
    recurringEventId: null,
    originalStart: null,
    conference: null, // CalDAV has no meeting service; Zoom meetings are created separately and arrive as a location/URL
    etag: null,
    updated: null,
  };
  return serializeCalendarResource([event], options);
}
