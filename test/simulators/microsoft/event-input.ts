import { wallTimeAt } from '../../../shared/domain/time-zone.ts';
import { GraphHttpError, badRequest } from './graph-error.ts';
import { formatWall, instantOf, parseDateOnly, parseDateTimeText, utcWall } from './graph-time.ts';
import {
  DAYS_OF_WEEK,
  type Attendee,
  type DayOfWeek,
  type EmailAddress,
  type EventContent,
  type PatternedRecurrence,
  type RecurrencePatternType,
  type ResponseType,
  type WallDateTime,
  type WeekIndex,
} from './model.ts';
import { resolveTimeZone } from './time-zones.ts';

/** A POST/PATCH body reduced to what the simulator stores; absent fields stay absent (PATCH semantics). */
export interface ParsedEventInput {
  content: Partial<EventContent>;
  /** `undefined`: not given; `null`: remove the recurrence. */
  recurrence?: PatternedRecurrence | null;
  transactionId?: string;
  /** Only through the direct API: an invitation organised by someone else. */
  organizer?: EmailAddress;
}

const WRITABLE = new Set([
  'subject', 'body', 'location', 'locations', 'start', 'end', 'isAllDay', 'showAs', 'attendees', 'isOnlineMeeting',
  'onlineMeetingProvider', 'importance', 'sensitivity', 'categories', 'isReminderOn', 'reminderMinutesBeforeStart',
  'recurrence', 'transactionId', 'responseRequested', 'allowNewTimeProposals', 'hideAttendees',
]);
// Read-only properties Graph accepts in a body and ignores.
const IGNORED = new Set([
  'id', 'changeKey', 'createdDateTime', 'lastModifiedDateTime', 'type', 'seriesMasterId', 'iCalUId', 'uid', 'originalStart',
  'originalStartTimeZone', 'originalEndTimeZone', 'webLink', 'bodyPreview', 'isOrganizer', 'responseStatus', 'onlineMeeting',
  'onlineMeetingUrl', 'hasAttachments', 'isDraft', 'organizer', 'isCancelled',
]);
const DIRECT_ONLY = new Set(['organizer', 'isCancelled']);

const SHOW_AS = ['free', 'tentative', 'busy', 'oof', 'workingElsewhere', 'unknown'] as const;
const IMPORTANCE = ['low', 'normal', 'high'] as const;
const SENSITIVITY = ['normal', 'personal', 'private', 'confidential'] as const;
const ATTENDEE_TYPES = ['required', 'optional', 'resource'] as const;
const RESPONSES = ['none', 'organizer', 'tentativelyAccepted', 'accepted', 'declined', 'notResponded'] as const;
const PATTERN_TYPES: readonly RecurrencePatternType[] = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'];
const WEEK_INDEXES: readonly WeekIndex[] = ['first', 'second', 'third', 'fourth', 'last'];

function readError(message: string): GraphHttpError {
  return new GraphHttpError(400, 'RequestBodyRead', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string') throw readError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.String' (property '${name}').`);
  return value;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw readError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean' (property '${name}').`);
  return value;
}

function int(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw readError(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Int32' (property '${name}').`);
  return value;
}

/** Graph enums are case-insensitive on input. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  const text = str(value, name);
  const match = allowed.find((a) => a.toLowerCase() === text.toLowerCase());
  if (!match) throw readError(`The value '${text}' is not valid for property '${name}'.`);
  return match;
}

export function timeZoneNotSupported(name: string): GraphHttpError {
  return new GraphHttpError(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`);
}

/** A `dateTimeTimeZone` body: the wall time is stored as written, normalized to `YYYY-MM-DDTHH:mm:ss`. */
function parseWallDateTime(value: unknown, name: string): WallDateTime {
  if (!isObject(value)) throw readError(`Property '${name}' must be a dateTimeTimeZone object.`);
  const timeZone = value.timeZone === undefined || value.timeZone === null ? 'UTC' : str(value.timeZone, `${name}.timeZone`);
  const zone = resolveTimeZone(timeZone);
  if (!zone) throw timeZoneNotSupported(timeZone);
  const parsed = parseDateTimeText(str(value.dateTime, `${name}.dateTime`));
  if (!parsed) throw badRequest(`The value '${String(value.dateTime)}' of '${name}.dateTime' is not a valid date and time.`, 'ErrorInvalidRequest');
  // With an explicit offset the instant is fixed; store it as the wall time in the given zone.
  const wall = parsed.offsetMs === null ? parsed.wall : (zone === 'UTC' ? utcWall(instantOf(parsed, zone)) : wallTimeAt(zone, instantOf(parsed, zone)));
  return { dateTime: formatWall(wall).slice(0, 19), timeZone };
}

function parseEmail(value: unknown, name: string): EmailAddress {
  if (!isObject(value)) throw readError(`Property '${name}' must be an emailAddress object.`);
  const address = str(value.address, `${name}.address`);
  return { address, name: value.name === undefined || value.name === null ? address : str(value.name, `${name}.name`) };
}

function parseAttendees(value: unknown, direct: boolean): Attendee[] {
  if (!Array.isArray(value)) throw readError("Property 'attendees' must be a collection.");
  return value.map((raw, index) => {
    if (!isObject(raw)) throw readError(`attendees[${index}] must be an attendee object.`);
    const status = direct && isObject(raw.status) && raw.status.response !== undefined
      ? { response: oneOf(raw.status.response, RESPONSES, 'status.response') as ResponseType, time: new Date().toISOString().slice(0, 19) + 'Z' }
      : { response: 'none' as ResponseType, time: '0001-01-01T00:00:00Z' };
    return {
      emailAddress: parseEmail(raw.emailAddress, `attendees[${index}].emailAddress`),
      type: raw.type === undefined ? 'required' : oneOf(raw.type, ATTENDEE_TYPES, 'type'),
      status,
    };
  });
}

export function parseRecurrence(value: unknown): PatternedRecurrence {
  if (!isObject(value) || !isObject(value.pattern) || !isObject(value.range)) throw badRequest('Recurrence needs a pattern and a range.');
  const pattern = value.pattern;
  const range = value.range;
  const type = oneOf(pattern.type, PATTERN_TYPES, 'pattern.type');
  const daysOfWeek = pattern.daysOfWeek === undefined || pattern.daysOfWeek === null ? [] : (pattern.daysOfWeek as unknown[]).map((d) => oneOf(d, DAYS_OF_WEEK, 'pattern.daysOfWeek') as DayOfWeek);
  const interval = pattern.interval === undefined ? 1 : int(pattern.interval, 'pattern.interval');
  const dayOfMonth = pattern.dayOfMonth === undefined ? 0 : int(pattern.dayOfMonth, 'pattern.dayOfMonth');
  const month = pattern.month === undefined ? 0 : int(pattern.month, 'pattern.month');
  if (interval < 1) throw badRequest('Recurrence pattern interval must be at least 1.');
  if ((type === 'weekly' || type === 'relativeMonthly' || type === 'relativeYearly') && daysOfWeek.length === 0) throw badRequest(`Recurrence pattern '${type}' requires daysOfWeek.`);
  if ((type === 'absoluteMonthly' || type === 'absoluteYearly') && (dayOfMonth < 1 || dayOfMonth > 31)) throw badRequest(`Recurrence pattern '${type}' requires dayOfMonth between 1 and 31.`);
  if ((type === 'absoluteYearly' || type === 'relativeYearly') && (month < 1 || month > 12)) throw badRequest(`Recurrence pattern '${type}' requires month between 1 and 12.`);
  const rangeType = oneOf(range.type, ['endDate', 'noEnd', 'numbered'] as const, 'range.type');
  const startDate = str(range.startDate, 'range.startDate');
  if (!parseDateOnly(startDate)) throw badRequest('Recurrence range startDate must be a date (yyyy-mm-dd).');
  const endDate = range.endDate === undefined || range.endDate === null ? '0001-01-01' : str(range.endDate, 'range.endDate');
  if (rangeType === 'endDate' && (!parseDateOnly(endDate) || endDate < startDate)) throw badRequest('Recurrence range endDate must be a date on or after startDate.');
  const numberOfOccurrences = range.numberOfOccurrences === undefined ? 0 : int(range.numberOfOccurrences, 'range.numberOfOccurrences');
  if (rangeType === 'numbered' && numberOfOccurrences < 1) throw badRequest('Recurrence range numberOfOccurrences must be at least 1.');
  const recurrenceTimeZone = range.recurrenceTimeZone === undefined || range.recurrenceTimeZone === null ? '' : str(range.recurrenceTimeZone, 'range.recurrenceTimeZone');
  if (recurrenceTimeZone && !resolveTimeZone(recurrenceTimeZone)) throw timeZoneNotSupported(recurrenceTimeZone);
  return {
    pattern: {
      type,
      interval,
      month,
      dayOfMonth,
      daysOfWeek,
      firstDayOfWeek: pattern.firstDayOfWeek === undefined ? 'sunday' : oneOf(pattern.firstDayOfWeek, DAYS_OF_WEEK, 'pattern.firstDayOfWeek'),
      index: pattern.index === undefined ? 'first' : oneOf(pattern.index, WEEK_INDEXES, 'pattern.index'),
    },
    range: { type: rangeType, startDate, endDate, recurrenceTimeZone, numberOfOccurrences },
  };
}

/**
 * Validates an event body like Graph: unknown properties → 400 `RequestBodyRead`, read-only ones are
 * ignored. `direct` (the test API acting as Outlook) may also set `organizer`, `isCancelled` and attendee
 * responses, which a client cannot.
 */
export function parseEventInput(body: unknown, direct: boolean): ParsedEventInput {
  if (!isObject(body)) throw readError('The request body must be a JSON object.');
  const content: Partial<EventContent> = {};
  const result: ParsedEventInput = { content };
  for (const key of Object.keys(body)) {
    if (key.startsWith('@odata.')) continue;
    if (DIRECT_ONLY.has(key) && direct) continue;
    if (IGNORED.has(key)) continue;
    if (!WRITABLE.has(key)) {
      throw readError(`The property '${key}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
  }
  if (body.subject !== undefined) content.subject = body.subject === null ? '' : str(body.subject, 'subject');
  if (body.body !== undefined && body.body !== null) {
    if (!isObject(body.body)) throw readError("Property 'body' must be an itemBody object.");
    content.body = {
      contentType: body.body.contentType === undefined ? 'text' : oneOf(body.body.contentType, ['text', 'html'] as const, 'body.contentType'),
      content: body.body.content === undefined || body.body.content === null ? '' : str(body.body.content, 'body.content'),
    };
  }
  if (body.location !== undefined && body.location !== null) {
    if (!isObject(body.location)) throw readError("Property 'location' must be a location object.");
    content.location = { displayName: body.location.displayName == null ? '' : str(body.location.displayName, 'location.displayName') };
  } else if (Array.isArray(body.locations) && isObject(body.locations[0])) {
    content.location = { displayName: str(body.locations[0].displayName ?? '', 'locations[0].displayName') };
  }
  if (body.start !== undefined) content.start = parseWallDateTime(body.start, 'start');
  if (body.end !== undefined) content.end = parseWallDateTime(body.end, 'end');
  if (body.isAllDay !== undefined) content.isAllDay = bool(body.isAllDay, 'isAllDay');
  if (body.showAs !== undefined) content.showAs = oneOf(body.showAs, SHOW_AS, 'showAs');
  if (body.attendees !== undefined) content.attendees = body.attendees === null ? [] : parseAttendees(body.attendees, direct);
  if (body.isOnlineMeeting !== undefined) content.isOnlineMeeting = bool(body.isOnlineMeeting, 'isOnlineMeeting');
  if (body.onlineMeetingProvider !== undefined) {
    const provider = oneOf(body.onlineMeetingProvider, ['teamsForBusiness', 'skypeForBusiness', 'skypeForConsumer', 'unknown'] as const, 'onlineMeetingProvider');
    // Work accounts here offer Teams only (`allowedOnlineMeetingProviders`); other providers are ignored.
    content.onlineMeetingProvider = provider === 'teamsForBusiness' ? 'teamsForBusiness' : 'unknown';
  }
  if (body.importance !== undefined) content.importance = oneOf(body.importance, IMPORTANCE, 'importance');
  if (body.sensitivity !== undefined) content.sensitivity = oneOf(body.sensitivity, SENSITIVITY, 'sensitivity');
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories)) throw readError("Property 'categories' must be a collection.");
    content.categories = body.categories.map((c) => str(c, 'categories'));
  }
  if (body.isReminderOn !== undefined) content.isReminderOn = bool(body.isReminderOn, 'isReminderOn');
  if (body.reminderMinutesBeforeStart !== undefined) content.reminderMinutesBeforeStart = int(body.reminderMinutesBeforeStart, 'reminderMinutesBeforeStart');
  if (body.recurrence !== undefined) result.recurrence = body.recurrence === null ? null : parseRecurrence(body.recurrence);
  if (body.transactionId !== undefined && body.transactionId !== null) result.transactionId = str(body.transactionId, 'transactionId');
  if (direct && body.isCancelled !== undefined) content.isCancelled = bool(body.isCancelled, 'isCancelled');
  if (direct && body.organizer !== undefined) {
    if (!isObject(body.organizer)) throw readError("Property 'organizer' must be a recipient object.");
    result.organizer = parseEmail(body.organizer.emailAddress, 'organizer.emailAddress');
  }
  return result;
}
