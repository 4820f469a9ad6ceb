/**
 * The simulator's in-memory model. Stored events are immutable values: every change stores a new object,
 * so the change log can keep the before/after versions by reference.
 */
export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export const DAYS_OF_WEEK: readonly DayOfWeek[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export type WeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';
export type RecurrencePatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
export type ShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
export type ResponseType = 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';
export type AttendeeType = 'required' | 'optional' | 'resource';

export interface RecurrencePattern {
  type: RecurrencePatternType;
  interval: number;
  month: number;
  dayOfMonth: number;
  daysOfWeek: DayOfWeek[];
  firstDayOfWeek: DayOfWeek;
  index: WeekIndex;
}

export interface RecurrenceRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate: string;
  endDate: string;
  recurrenceTimeZone: string;
  numberOfOccurrences: number;
}

export interface PatternedRecurrence {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
}

export interface EmailAddress {
  name: string;
  address: string;
}

export interface Attendee {
  emailAddress: EmailAddress;
  type: AttendeeType;
  status: { response: ResponseType; time: string };
}

export interface ItemBody {
  contentType: 'text' | 'html';
  content: string;
}

/** A wall time as the client wrote it: `dateTime` without offset, `timeZone` as given (Windows or IANA). */
export interface WallDateTime {
  dateTime: string;
  timeZone: string;
}

/** What an exception may override; every event carries all of it. */
export interface EventContent {
  subject: string;
  body: ItemBody;
  location: { displayName: string };
  start: WallDateTime;
  end: WallDateTime;
  isAllDay: boolean;
  showAs: ShowAs;
  isCancelled: boolean;
  attendees: Attendee[];
  isOnlineMeeting: boolean;
  onlineMeetingProvider: 'teamsForBusiness' | 'unknown';
  onlineMeeting: { joinUrl: string; conferenceId?: string; tollNumber?: string; tollFreeNumbers?: string[] } | null;
  importance: 'low' | 'normal' | 'high';
  sensitivity: 'normal' | 'personal' | 'private' | 'confidential';
  categories: string[];
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
}

export interface ExceptionOverride {
  fields: Partial<EventContent>;
  changeKey: string;
  lastModifiedMs: number;
}

export interface StoredEvent extends EventContent {
  id: string;
  calendarId: string;
  userId: string;
  iCalUId: string;
  transactionId: string | null;
  organizer: { emailAddress: EmailAddress };
  isOrganizer: boolean;
  responseStatus: { response: ResponseType; time: string };
  /** Set on series masters. */
  recurrence: PatternedRecurrence | null;
  changeKey: string;
  createdMs: number;
  lastModifiedMs: number;
  /** Keyed by the occurrence's original start (UTC ms). */
  exceptions: ReadonlyMap<number, ExceptionOverride>;
  cancelledOccurrences: ReadonlySet<number>;
}

export interface SimUser {
  id: string;
  tenantId: string;
  displayName: string;
  mail: string;
  userPrincipalName: string;
  /** Mailbox time zone (Windows name, as Outlook stores it). */
  timeZone: string;
  defaultCalendarId: string;
  /** `allowedOnlineMeetingProviders` of the mailbox's calendars; `[]` for a mailbox without Teams. */
  onlineMeetingProviders?: string[];
}

export interface SimCalendar {
  id: string;
  userId: string;
  name: string;
  hexColor: string;
  isDefaultCalendar: boolean;
  changeKey: string;
}

/** One item of a calendar view: a single instance, an occurrence, or an exception, with its instant span. */
export interface ViewItem {
  id: string;
  type: 'singleInstance' | 'occurrence' | 'exception';
  /** The single event, or the series master for occurrences and exceptions. */
  event: StoredEvent;
  originalStartMs: number | null;
  content: EventContent;
  startMs: number;
  endMs: number;
  changeKey: string;
  lastModifiedMs: number;
}

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** Graph's JSON event (the simulator writes every v1.0 property it models). */
export type GraphEvent = Record<string, unknown> & { id: string; type: string };

/** Graph's JSON write body for an event (POST/PATCH), as loose as Graph's own input. */
export type GraphEventInput = Record<string, unknown>;
