/**
 * The parts of Microsoft Graph's JSON that the adapter reads and writes (v1.0 `event`, `calendar`,
 * `subscription`, delta pages). Fields are optional and nullable because Graph omits or nulls them freely;
 * the mapper treats every one defensively.
 */
export interface GraphDateTimeTimeZone {
  /** Wall time without offset, e.g. `2026-12-07T09:00:00.0000000`. */
  dateTime?: string | null;
  /** The zone of `dateTime` (`UTC` when we ask for `Prefer: outlook.timezone="UTC"`). */
  timeZone?: string | null;
}

export interface GraphEmailAddress {
  name?: string | null;
  address?: string | null;
}

export interface GraphAttendee {
  type?: 'required' | 'optional' | 'resource' | string | null;
  status?: { response?: string | null; time?: string | null } | null;
  emailAddress?: GraphEmailAddress | null;
}

export interface GraphRecurrencePattern {
  type?: string | null;
  interval?: number | null;
  month?: number | null;
  dayOfMonth?: number | null;
  daysOfWeek?: string[] | null;
  firstDayOfWeek?: string | null;
  index?: string | null;
}

export interface GraphRecurrenceRange {
  type?: string | null;
  startDate?: string | null;
  endDate?: string | null;
  recurrenceTimeZone?: string | null;
  numberOfOccurrences?: number | null;
}

export interface GraphPatternedRecurrence {
  pattern?: GraphRecurrencePattern | null;
  range?: GraphRecurrenceRange | null;
}

export interface GraphEvent {
  id: string;
  '@odata.etag'?: string | null;
  '@removed'?: { reason?: string } | null;
  changeKey?: string | null;
  iCalUId?: string | null;
  type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster' | string | null;
  seriesMasterId?: string | null;
  /** DateTimeOffset of the instance's slot in the series (occurrences and exceptions). */
  originalStart?: string | null;
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  subject?: string | null;
  body?: { contentType?: string | null; content?: string | null } | null;
  bodyPreview?: string | null;
  location?: { displayName?: string | null } | null;
  start?: GraphDateTimeTimeZone | null;
  end?: GraphDateTimeTimeZone | null;
  isAllDay?: boolean | null;
  isCancelled?: boolean | null;
  isOrganizer?: boolean | null;
  showAs?: string | null;
  organizer?: { emailAddress?: GraphEmailAddress | null } | null;
  attendees?: GraphAttendee[] | null;
  isOnlineMeeting?: boolean | null;
  onlineMeetingProvider?: string | null;
  onlineMeeting?: { joinUrl?: string | null; conferenceId?: string | null; tollNumber?: string | null; tollFreeNumbers?: string[] | null } | null;
  recurrence?: GraphPatternedRecurrence | null;
  lastModifiedDateTime?: string | null;
}

export interface GraphCalendar {
  id: string;
  name?: string | null;
  hexColor?: string | null;
  color?: string | null;
  isDefaultCalendar?: boolean | null;
  canEdit?: boolean | null;
  allowedOnlineMeetingProviders?: string[] | null;
}

export interface GraphCollection<T> {
  value?: T[] | null;
  '@odata.nextLink'?: string | null;
  '@odata.deltaLink'?: string | null;
}

export interface GraphSubscription {
  id: string;
  expirationDateTime?: string | null;
}

/** The body we send for POST/PATCH of an event. */
export type GraphEventInput = Record<string, unknown>;
