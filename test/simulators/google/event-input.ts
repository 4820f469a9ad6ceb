import { googleErrors } from './errors.ts';
import { parseRecurrence, RecurrenceError, type Recurrence } from './recurrence.ts';
import type { CalendarRecord, EventDateTime, EventInput, TimeValue } from './types.ts';
import { isKnownZone, parseDate, parseDateTime } from './zone-time.ts';

/** Fields stored as given and echoed back. Everything else in a request body is server-managed or ignored. */
const PLAIN_FIELDS = [
  'summary',
  'description',
  'location',
  'colorId',
  'transparency',
  'visibility',
  'attendees',
  'extendedProperties',
  'reminders',
  'source',
  'attachments',
  'guestsCanInviteOthers',
  'guestsCanModify',
  'guestsCanSeeOtherGuests',
  'anyoneCanAddSelf',
  'locked',
] as const;

export interface NormalizedEvent {
  start: TimeValue;
  end: TimeValue;
  startZone: string | null;
  endZone: string | null;
  recurrence: string[] | null;
  parsedRecurrence: Recurrence | null;
  status: 'confirmed' | 'tentative' | 'cancelled';
  fields: Record<string, unknown>;
}

function parseTime(value: EventDateTime | undefined | null, location: 'start' | 'end'): { time: TimeValue; zone: string | null } {
  if (!value || typeof value !== 'object') throw googleErrors.required(location, `Missing ${location} time.`);
  const zone = value.timeZone ?? null;
  if (zone !== null && (typeof zone !== 'string' || !isKnownZone(zone))) throw googleErrors.invalid(`Invalid time zone definition for ${location} time.`, `${location}.timeZone`);
  const hasDate = value.date !== undefined && value.date !== null;
  const hasDateTime = value.dateTime !== undefined && value.dateTime !== null;
  if (hasDate && hasDateTime) throw googleErrors.invalid(`Invalid ${location} time.`, location);
  if (hasDate) {
    const day = typeof value.date === 'string' ? parseDate(value.date) : null;
    if (day === null) throw googleErrors.invalid(`Invalid ${location} time.`, `${location}.date`);
    return { time: { allDay: true, day }, zone };
  }
  if (hasDateTime) {
    if (typeof value.dateTime !== 'string') throw googleErrors.invalid(`Invalid ${location} time.`, `${location}.dateTime`);
    const ms = parseDateTime(value.dateTime, zone);
    if (ms === null) {
      if (!zone && parseDateTime(value.dateTime, 'UTC') !== null) throw googleErrors.required(`${location}.timeZone`, `Missing time zone definition for ${location} time.`);
      throw googleErrors.invalid(`Invalid ${location} time.`, `${location}.dateTime`);
    }
    return { time: { allDay: false, ms, zone }, zone };
  }
  throw googleErrors.required(location, `Missing ${location} time.`);
}

function validateAttendees(attendees: unknown, owner: string): unknown {
  if (attendees === undefined || attendees === null) return attendees;
  if (!Array.isArray(attendees)) throw googleErrors.invalid('Invalid attendees.', 'attendees');
  return attendees.map((attendee: unknown) => {
    const a = (attendee ?? {}) as Record<string, unknown>;
    if (typeof a.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(a.email)) throw googleErrors.invalid('Invalid attendee email.', 'attendees.email');
    const email = a.email.toLowerCase();
    return { ...a, email, responseStatus: a.responseStatus ?? (email === owner ? 'accepted' : 'needsAction'), ...(email === owner ? { self: true } : {}) };
  });
}

/**
 * Validates an event body the way Google does and turns it into stored fields. Timed recurring masters
 * need `start.timeZone` (providers.md item 9); all-day masters do not.
 */
export function normalizeEvent(input: EventInput, calendar: CalendarRecord, options: { allowRecurrence: boolean }): NormalizedEvent {
  const start = parseTime(input.start, 'start');
  const end = parseTime(input.end, 'end');
  if (start.time.allDay !== end.time.allDay) throw googleErrors.invalid('Start and end times must either both be date or both be dateTime.', 'end');
  const startKey = start.time.allDay ? start.time.day : start.time.ms;
  const endKey = end.time.allDay ? end.time.day : end.time.ms;
  if (endKey < startKey || (start.time.allDay && endKey === startKey)) throw googleErrors.timeRangeEmpty('end');

  let recurrence: string[] | null = null;
  let parsedRecurrence: Recurrence | null = null;
  if (options.allowRecurrence && Array.isArray(input.recurrence) && input.recurrence.length > 0) {
    if (!input.recurrence.every((line) => typeof line === 'string')) throw googleErrors.invalid('Invalid recurrence rule.', 'recurrence');
    if (input.recurrence.some((line) => /^DTSTART/i.test(line.trim()))) throw googleErrors.invalid('Invalid recurrence rule.', 'recurrence');
    if (!start.time.allDay && !start.zone) throw googleErrors.required('start.timeZone', 'Missing time zone definition for start time.');
    recurrence = [...input.recurrence];
    try {
      parsedRecurrence = parseRecurrence(recurrence, start.time.allDay ? { allDay: true, startDay: start.time.day } : { allDay: false, startMs: start.time.ms, zone: start.zone ?? calendar.timeZone });
    } catch (error) {
      if (error instanceof RecurrenceError) throw googleErrors.invalid(error.message, 'recurrence');
      throw error;
    }
  }

  const status = input.status ?? 'confirmed';
  if (!['confirmed', 'tentative', 'cancelled'].includes(status)) throw googleErrors.invalid('Invalid value for status.', 'status');
  if (input.transparency !== undefined && input.transparency !== null && !['opaque', 'transparent'].includes(input.transparency)) {
    throw googleErrors.invalid('Invalid value for transparency.', 'transparency');
  }
  const fields: Record<string, unknown> = {};
  for (const name of PLAIN_FIELDS) {
    const value = name === 'attendees' ? validateAttendees(input.attendees, calendar.owner) : input[name];
    if (value !== undefined && value !== null) fields[name] = structuredClone(value);
  }
  return { start: start.time, end: end.time, startZone: start.zone, endZone: end.zone, recurrence, parsedRecurrence, status, fields };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Patch semantics as Google applies them: named fields replace, nested objects merge recursively, arrays
 * replace whole, and `null` clears a field. (So switching `start` from `date` to `dateTime` by PATCH needs
 * `"date": null`, as with the real API.)
 */
export function mergePatch(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(merged[key])) merged[key] = mergePatch(merged[key], value);
    else merged[key] = structuredClone(value);
  }
  return merged;
}
