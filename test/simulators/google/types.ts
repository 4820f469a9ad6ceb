import type { Recurrence } from './recurrence.ts';

/** Google's EventDateTime: `{date}` for all-day, `{dateTime, timeZone?}` for timed events. */
export interface EventDateTime {
  date?: string | null;
  dateTime?: string | null;
  timeZone?: string | null;
}

export interface EventAttendee {
  email?: string;
  displayName?: string;
  responseStatus?: 'needsAction' | 'declined' | 'tentative' | 'accepted';
  optional?: boolean;
  organizer?: boolean;
  self?: boolean;
  resource?: boolean;
  comment?: string;
  additionalGuests?: number;
}

export interface ConferenceData {
  createRequest?: { requestId?: string; conferenceSolutionKey?: { type?: string }; status?: { statusCode: 'pending' | 'success' | 'failure' } };
  entryPoints?: { entryPointType: string; uri: string; label?: string; pin?: string; regionCode?: string }[];
  conferenceSolution?: { key: { type: string }; name: string; iconUri: string };
  conferenceId?: string;
}

/** What a caller (HTTP body or the direct API) may send for an event. */
export interface EventInput {
  id?: string;
  summary?: string | null;
  description?: string | null;
  location?: string | null;
  start?: EventDateTime;
  end?: EventDateTime;
  recurrence?: string[] | null;
  status?: 'confirmed' | 'tentative' | 'cancelled';
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  attendees?: EventAttendee[] | null;
  colorId?: string | null;
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> } | null;
  reminders?: { useDefault?: boolean; overrides?: { method: string; minutes: number }[] } | null;
  conferenceData?: ConferenceData | null;
  [field: string]: unknown;
}

/** An event as the API returns it. Tombstones carry only `kind, etag, id, status` (+ instance identity). */
export interface GoogleEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  htmlLink?: string;
  created?: string;
  updated?: string;
  summary?: string;
  description?: string;
  location?: string;
  creator?: { email: string; self?: boolean };
  organizer?: { email: string; displayName?: string; self?: boolean };
  start?: EventDateTime;
  end?: EventDateTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  transparency?: string;
  visibility?: string;
  iCalUID?: string;
  sequence?: number;
  attendees?: EventAttendee[];
  hangoutLink?: string;
  conferenceData?: ConferenceData;
  reminders?: { useDefault?: boolean; overrides?: { method: string; minutes: number }[] };
  eventType?: string;
  [field: string]: unknown;
}

/** A point in time inside the store: all-day dates stay dates. */
export type TimeValue = { allDay: true; day: number } | { allDay: false; ms: number; zone: string | null };

export interface ConferenceState {
  requestId: string;
  status: 'pending' | 'success';
  meetingCode: string;
}

export type RecordType = 'single' | 'master' | 'exception';

/**
 * One stored event: a single, a series master, or an exception (an edited or cancelled instance, whose id is
 * the instance id). `deleted` records are tombstones kept for incremental sync and `showDeleted`.
 */
export interface EventRecord {
  id: string;
  calendarId: string;
  type: RecordType;
  deleted: boolean;
  /** Change-log sequence number of the last change (per calendar). */
  seq: number;
  etag: string;
  created: string;
  updated: string;
  sequence: number;
  iCalUID: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  start: TimeValue;
  end: TimeValue;
  /** Original `start`/`end` EventDateTime as given (kept for `timeZone`). */
  startZone: string | null;
  endZone: string | null;
  recurrence: string[] | null;
  parsedRecurrence: Recurrence | null;
  recurringEventId: string | null;
  originalStart: TimeValue | null;
  /** Plain fields echoed back (summary, description, attendees, …). */
  fields: Record<string, unknown>;
  conference: ConferenceState | null;
}

export interface CalendarRecord {
  id: string;
  owner: string;
  summary: string;
  description: string | null;
  timeZone: string;
  primary: boolean;
  etag: string;
  /** Last change-log sequence number. */
  seq: number;
  /** Bumped by `invalidateSyncTokens`: tokens minted under an older epoch answer 410. */
  epoch: number;
  events: Map<string, EventRecord>;
  /** Master id → ids of its exception records (live or not). */
  exceptions: Map<string, Set<string>>;
  log: ChangeEntry[];
}

/** A change-log entry: which records changed at `seq`, and for series which instance ids were touched. */
export interface ChangeEntry {
  seq: number;
  eventId: string;
  instances: InstanceRef[] | null;
}

export interface InstanceRef {
  id: string;
  masterId: string;
  key: number;
  allDay: boolean;
}

export interface SimUser {
  email: string;
  name: string;
  sub: string;
  timeZone: string;
  primaryCalendarId: string;
}
