import { createHash } from 'node:crypto';
import type ICAL from 'ical.js';
import { AppError } from '../../../domain/app-error.ts';
import type { EventTime, ProviderEvent } from '../../../domain/calendar-event.ts';
import { isAllDay } from '../../../domain/calendar-event.ts';
import { resolveTimeZoneName } from '../../../domain/windows-time-zones.ts';
import { THIS_AND_FUTURE, compactDate, formatRule, formatUtcDateTime, parseRule } from '../../../recurrence/recurrence-lines.ts';
import { zoneOffsets } from '../../../recurrence/zone-offsets.ts';
import { mapAttendees, mapConference, mapOrganizer, mapStatus, mapTransparency, textValue } from './event-fields.ts';
import type { TimeContext } from './event-times.ts';
import {
  addDuration,
  normalizeEnd,
  parseDuration,
  parseJcalDateTime,
  propertyToEventTime,
  propertyTzid,
  propertyValues,
  toInstant,
  valueToEventTime,
} from './event-times.ts';
import { parseComponents } from './parse-components.ts';
import { repairIcs } from './repair-ics.ts';
import { TzidResolver } from './tzid-resolver.ts';

export interface ParseResourceOptions {
  /** The CalDAV href (or other id) of the resource; also the base of ids for events without UID. */
  resourceId: string | null;
  etag: string | null;
  /** IANA zone of the calendar, for floating times. */
  calendarTimeZone: string | null;
}

export interface ParsedResource {
  events: ProviderEvent[];
  /** What was repaired or skipped; never fatal. */
  warnings: string[];
}

/**
 * Every VEVENT of one iCalendar object as ProviderEvents.
 *
 * Ids: a master or single is `UID`; an override is `UID#<RECURRENCE-ID>` with the RECURRENCE-ID in UTC
 * (`20240108T140000Z`) or as a date (`20240108`), so the id survives edits of the override. A VEVENT
 * without UID gets `no-uid:<resourceId>` (or `no-uid:sha256(DTSTART,SUMMARY)` without a resource id), with
 * `:2`, `:3`… for further UID-less events in the same object.
 *
 * Times: DATE values are all-day (end exclusive; one day when DTEND and DURATION are missing); zoned values
 * become UTC instants with their IANA zone (TZIDs resolved as `TzidResolver` documents); floating values are
 * read in `calendarTimeZone`, else the object's X-WR-TIMEZONE, else UTC; UTC values are labelled with
 * X-WR-TIMEZONE when there is one (Google's exports mean "this series lives in that zone"), else `UTC`.
 *
 * Recurrence lines are written in the canonical form described in `shared/recurrence/recurrence-lines.ts`.
 * A VEVENT without DTSTART is skipped with a warning; only text that is not iCalendar at all throws
 * `provider.input_invalid`.
 */
export function parseCalendarResource(icsText: string, options: ParseResourceOptions): ParsedResource {
  const repaired = repairIcs(icsText);
  if (!repaired) throw new AppError('provider.input_invalid', 'The resource is not iCalendar data (no VCALENDAR or VEVENT)', { retryable: false });
  const warnings = [...repaired.warnings];
  const { calendarProperties, components } = parseComponents(repaired.lines, warnings);

  const vtimezones = new Map<string, ICAL.Component>();
  const vevents: ICAL.Component[] = [];
  for (const component of components) {
    if (component.name === 'vtimezone') {
      const tzid = component.getFirstPropertyValue('tzid');
      if (typeof tzid === 'string') vtimezones.set(tzid.trim(), component);
    } else if (component.name === 'vevent') {
      vevents.push(component);
    }
  }
  const xWrTimeZoneText = calendarProperties.get('x-wr-timezone');
  const xWrTimeZone = xWrTimeZoneText ? resolveTimeZoneName(xWrTimeZoneText) : null;
  const floatingZone = (options.calendarTimeZone && resolveTimeZoneName(options.calendarTimeZone)) || xWrTimeZone || 'UTC';
  const context: TimeContext = {
    resolver: new TzidResolver(vtimezones, yearsByTzid(vevents)),
    floatingZone,
    utcZone: xWrTimeZone ?? 'UTC',
    warn: (message) => {
      if (!warnings.includes(message)) warnings.push(message);
    },
  };

  const events: ProviderEvent[] = [];
  const usedIds = new Set<string>();
  const series = resourceSeries(vevents, options.resourceId);
  let withoutUid = 0;
  for (const vevent of vevents) {
    try {
      const uidText = textValue(vevent, 'uid')?.trim() ?? null;
      const isOverride = Boolean(vevent.getFirstProperty('recurrence-id'));
      let uid = uidText;
      // CalDAV holds one UID per resource (RFC 4791 §4.1): an override written without its UID line belongs
      // to the resource's series, not to a UID of its own (which would leave the master's instance in place).
      if (!uid && isOverride && series.uid) uid = series.uid;
      if (!uid && (vevent.getFirstProperty('dtstart') || isOverride)) uid = syntheticUid(vevent, options.resourceId, ++withoutUid);
      const event = convertEvent(vevent, uid, uidText ?? (isOverride && uid === series.uid ? series.uidText : null), options, context, uid ? series.startTzids.get(uid) ?? null : null);
      if (!event) continue;
      let id = event.providerEventId;
      for (let n = 2; usedIds.has(id); n++) id = `${event.providerEventId}#${n}`;
      if (id !== event.providerEventId) context.warn(`duplicate event id ${event.providerEventId} renamed to ${id}`);
      usedIds.add(id);
      events.push({ ...event, providerEventId: id });
    } catch (error) {
      warnings.push(`skipped a VEVENT that could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { events, warnings };
}

/**
 * The series a resource holds: its UID when that is unambiguous (exactly one VEVENT without RECURRENCE-ID,
 * or a single UID among all VEVENTs), and the TZID of each master's DTSTART, by UID.
 */
function resourceSeries(vevents: readonly ICAL.Component[], resourceId: string | null): { uid: string | null; uidText: string | null; startTzids: Map<string, string> } {
  const masters = vevents.filter((vevent) => !vevent.getFirstProperty('recurrence-id') && vevent.getFirstProperty('dtstart'));
  const uidTexts = new Set(vevents.map((vevent) => textValue(vevent, 'uid')?.trim()).filter((uid): uid is string => Boolean(uid)));
  let uid: string | null = null;
  let uidText: string | null = null;
  if (masters.length === 1) {
    uidText = textValue(masters[0]!, 'uid')?.trim() || null;
    // The master's synthetic UID is the first one handed out: UID-less overrides take its UID, not a number.
    uid = uidText ?? syntheticUid(masters[0]!, resourceId, 1);
  } else if (masters.length === 0 && uidTexts.size === 1) {
    uid = uidText = [...uidTexts][0]!;
  }
  const startTzids = new Map<string, string>();
  for (const vevent of masters) {
    const masterUid = textValue(vevent, 'uid')?.trim() || (vevent === masters[0] && masters.length === 1 ? uid : null);
    const tzid = propertyTzid(vevent.getFirstProperty('dtstart')!);
    if (masterUid && tzid && !startTzids.has(masterUid)) startTzids.set(masterUid, tzid);
  }
  return { uid, uidText, startTzids };
}

function syntheticUid(vevent: ICAL.Component, resourceId: string | null, ordinal: number): string {
  const base =
    resourceId ??
    `sha256:${createHash('sha256')
      .update(`${JSON.stringify(vevent.getFirstProperty('dtstart')?.toJSON())}\u001f${textValue(vevent, 'summary') ?? ''}`)
      .digest('hex')
      .slice(0, 24)}`;
  return ordinal === 1 ? `no-uid:${base}` : `no-uid:${base}:${ordinal}`;
}

function convertEvent(
  vevent: ICAL.Component,
  uid: string | null,
  iCalUID: string | null,
  options: ParseResourceOptions,
  context: TimeContext,
  /** TZID of the series master's DTSTART, for a RECURRENCE-ID written without one. */
  masterStartTzid: string | null = null,
): ProviderEvent | null {
  // An override without DTSTART (some servers write cancelled instances that way) starts at its RECURRENCE-ID.
  const dtstart = vevent.getFirstProperty('dtstart') ?? vevent.getFirstProperty('recurrence-id');
  if (!dtstart || !uid) {
    context.warn(`skipped a VEVENT without DTSTART${iCalUID ? ` (UID ${iCalUID})` : ''}`);
    return null;
  }
  const recurrenceIdProperty = vevent.getFirstProperty('recurrence-id');
  // RFC 5545 §3.8.4.4: RECURRENCE-ID has the value type of the master's DTSTART. A floating one beside a zoned
  // master means the master's wall time (not the calendar's zone), or it would miss the instance it replaces.
  const originalStart = recurrenceIdProperty
    ? valueToEventTime((recurrenceIdProperty.toJSON() as unknown[])[3], propertyTzid(recurrenceIdProperty) ?? masterStartTzid, context)
    : null;
  const start = dtstart === recurrenceIdProperty ? originalStart : propertyToEventTime(dtstart, context);
  if (!start) {
    context.warn(`skipped a VEVENT with an unreadable DTSTART (UID ${uid})`);
    return null;
  }
  const end = readEnd(vevent, start, context);

  const range = recurrenceIdProperty?.getParameter('range');
  const isOverride = originalStart !== null;

  const recurrence = isOverride ? null : readRecurrence(vevent, start, context);
  const kind = isOverride ? 'exception' : recurrence ? 'master' : 'single';
  const organizer = mapOrganizer(vevent);
  return {
    providerEventId: isOverride ? `${uid}#${recurrenceKey(originalStart)}` : uid,
    resourceId: options.resourceId,
    iCalUID,
    kind,
    title: textValue(vevent, 'summary'),
    description: textValue(vevent, 'description'),
    location: textValue(vevent, 'location'),
    start,
    end,
    status: mapStatus(vevent),
    transparency: mapTransparency(vevent),
    organizer,
    attendees: mapAttendees(vevent, organizer),
    recurrence: isOverride ? (typeof range === 'string' && range.toUpperCase() === 'THISANDFUTURE' ? [THIS_AND_FUTURE] : null) : recurrence,
    recurringEventId: isOverride ? uid : null,
    originalStart,
    conference: mapConference(vevent),
    etag: options.etag,
    updated: readUpdated(vevent),
  };
}

function recurrenceKey(time: EventTime): string {
  return isAllDay(time) ? compactDate(time.date) : formatUtcDateTime(Date.parse(time.dateTime));
}

/** DTEND wins over DURATION (Thunderbird writes both, DURATION:PT0S beside a real DTEND); neither: RFC defaults. */
function readEnd(vevent: ICAL.Component, start: EventTime, context: TimeContext): EventTime {
  const dtend = vevent.getFirstProperty('dtend');
  if (dtend) {
    const end = propertyToEventTime(dtend, context);
    if (end) return normalizeEnd(start, end);
    context.warn('unreadable DTEND ignored');
  }
  const durationProperty = vevent.getFirstProperty('duration');
  if (durationProperty) {
    const raw = (durationProperty.toJSON() as unknown[])[3];
    const duration = typeof raw === 'string' ? parseDuration(raw) : null;
    if (duration) return normalizeEnd(start, addDuration(start, duration));
    context.warn(`invalid DURATION "${String(raw)}" ignored`);
  }
  return normalizeEnd(start, null);
}

function readUpdated(vevent: ICAL.Component): string | null {
  for (const name of ['last-modified', 'dtstamp']) {
    const property = vevent.getFirstProperty(name);
    const value = property ? (property.toJSON() as unknown[])[3] : null;
    const parsed = typeof value === 'string' ? parseJcalDateTime(value) : null;
    if (parsed) return toInstant(parsed.localMs); // these are UTC by definition; a missing Z is a producer slip
  }
  return null;
}

/** RRULE/EXRULE/RDATE/EXDATE of a master in canonical form, or null when it has no RRULE or RDATE. */
function readRecurrence(vevent: ICAL.Component, start: EventTime, context: TimeContext): string[] | null {
  const lines: string[] = [];
  let generating = false;
  for (const name of ['rrule', 'exrule']) {
    for (const property of vevent.getAllProperties(name)) {
      const rule = parseRule(String(property.getFirstValue() ?? ''));
      if (!rule) {
        context.warn(`unreadable ${name.toUpperCase()} ignored`);
        continue;
      }
      normalizeUntil(rule, start);
      const line = `${name.toUpperCase()}:${formatRule(rule)}`;
      if (lines.includes(line)) continue; // Cyrus repeats the same RRULE
      lines.push(line);
      if (name === 'rrule') generating = true;
    }
  }
  for (const name of ['rdate', 'exdate']) {
    for (const property of vevent.getAllProperties(name)) {
      const dates: string[] = [];
      const instants: string[] = [];
      for (const value of propertyValues(property)) {
        const time = valueToEventTime(value, propertyTzid(property), context);
        if (!time) {
          context.warn(`unreadable ${name.toUpperCase()} value ignored`);
          continue;
        }
        if (isAllDay(time)) dates.push(compactDate(time.date));
        else instants.push(formatUtcDateTime(Date.parse(time.dateTime)));
      }
      if (dates.length > 0) lines.push(`${name.toUpperCase()};VALUE=DATE:${dates.join(',')}`);
      if (instants.length > 0) lines.push(`${name.toUpperCase()}:${instants.join(',')}`);
      if (name === 'rdate' && dates.length + instants.length > 0) generating = true;
    }
  }
  return generating ? lines : null;
}

/** RFC 5545 wants UNTIL in UTC when DTSTART has a zone; a floating UNTIL on such a series is read in its zone. */
function normalizeUntil(rule: Map<string, string>, start: EventTime): void {
  const until = rule.get('UNTIL');
  if (!until || isAllDay(start)) return;
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(until);
  if (!match) return;
  const [, y, mo, d, h, mi, s] = match;
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  rule.set('UNTIL', formatUtcDateTime(zoneOffsets(start.timeZone ?? 'UTC').localToUtc(localMs)));
}

/** The years each TZID is used in (from its values, extended to an RRULE's UNTIL or by one year), at most ten. */
function yearsByTzid(vevents: readonly ICAL.Component[]): Map<string, { from: number; to: number }> {
  const years = new Map<string, { from: number; to: number }>();
  for (const vevent of vevents) {
    let untilYear: number | null = null;
    let recurring = false;
    for (const rrule of vevent.getAllProperties('rrule')) {
      recurring = true;
      const until = /UNTIL=(\d{4})/.exec(String(rrule.getFirstValue() ?? ''));
      if (until) untilYear = Math.max(untilYear ?? 0, Number(until[1]));
    }
    for (const property of vevent.getAllProperties()) {
      const tzid = propertyTzid(property);
      if (!tzid) continue;
      for (const value of propertyValues(property)) {
        const year = typeof value === 'string' ? Number(value.slice(0, 4)) : NaN;
        if (!Number.isInteger(year)) continue;
        const to = Math.min(year + 9, Math.max(year, untilYear ?? (recurring ? year + 1 : year)));
        const known = years.get(tzid);
        years.set(tzid, known ? { from: Math.min(known.from, year), to: Math.max(known.to, to) } : { from: year, to });
      }
    }
  }
  for (const [tzid, range] of years) if (range.to - range.from > 9) years.set(tzid, { from: range.from, to: range.from + 9 });
  return years;
}
