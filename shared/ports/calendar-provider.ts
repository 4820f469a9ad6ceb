import type { EventDraft, EventTime, ProviderEvent } from '../domain/calendar-event.ts';
import type { CalendarKind, PushCapability, TimeRange } from '../domain/calendar.ts';
import type { ProviderKind } from '../domain/connection.ts';

/** A calendar as the provider lists it. */
export interface ProviderCalendar {
  providerCalendarId: string;
  name: string;
  description: string | null;
  timeZone: string | null;
  color: string | null;
  isPrimary: boolean;
  readOnly: boolean;
  /** False for collections that cannot hold events (a CalDAV VTODO-only list): never synced. */
  supportsEvents: boolean;
  /** Set when the provider says the calendar is a room's or a resource's (absent: a person's). */
  kind?: CalendarKind;
}

/** Which calendar an operation addresses; providers read what they need. */
export interface ProviderCalendarRef {
  providerCalendarId: string;
  timeZone: string | null;
}

/**
 * One change since the cursor. Google and Graph speak of single events; CalDAV of resources (one href
 * holding a master and its overrides), which replace all stored events of that resource at once.
 */
export type ProviderChange =
  | { type: 'upsert'; event: ProviderEvent }
  | { type: 'delete'; providerEventId: string }
  | { type: 'replaceResource'; resourceId: string; events: ProviderEvent[] }
  | { type: 'deleteResource'; resourceId: string };

export interface ChangeRequest {
  calendar: ProviderCalendarRef;
  /** Null = a full listing inside `window`. Otherwise the `nextCursor` of an earlier round, verbatim. */
  cursor: string | null;
  /** The sync window; providers apply it on full listings (Google, CalDAV) or carry it in the cursor (Graph). */
  window: TimeRange;
  /** Null on the first page of a round; then the previous page's `nextPageToken`. */
  pageToken: string | null;
}

/**
 * A page of changes. Exactly one of `nextPageToken` (more pages in this round) and `nextCursor` (the round
 * is complete; store this for the next one) is set. A page may be empty while more pages follow.
 */
export interface ChangePage {
  changes: ProviderChange[];
  nextPageToken: string | null;
  nextCursor: string | null;
}

export interface WriteOptions {
  /** Only write if the provider's current etag still equals this (412 → `provider.precondition_failed`). */
  etag?: string | null;
}

export interface CreateOptions {
  /**
   * A stable key for this creation (up to 512 characters, e.g. tenant + calendar + Idempotency-Key). The
   * adapter derives the provider-side identity from it — the Google event id, the Graph `transactionId`,
   * the CalDAV UID and href — so repeating a create with the same key (after a timeout, a crash, a client
   * retry) names the same provider event and never makes a second one; the repeat returns the first event.
   * Without a key the adapter picks a random one, which still makes its own retries safe.
   */
  key?: string;
}

export interface PushSubscribeRequest {
  calendar: ProviderCalendarRef;
  /** HTTPS URL the provider calls (`/hooks/google`, `/hooks/microsoft`). */
  address: string;
  /** Graph lifecycle notifications URL (`/hooks/microsoft/lifecycle`). */
  lifecycleAddress: string | null;
  /** Our id for the channel (Google requires the client to choose it); Graph chooses its own. */
  channelId: string;
  /** The random per-channel secret echoed on every notification (Google token, Graph clientState). */
  secret: string;
  ttlSeconds: number;
}

export interface PushSubscription {
  channelId: string;
  resourceId: string | null;
  expiresAt: Date;
}

/** A busy interval in epoch ms, half-open [startMs, endMs). */
export interface ProviderBusyInterval {
  startMs: number;
  endMs: number;
}

/**
 * A calendar's busy time over a range as the provider answers it live (`queryBusy`), in one of two shapes,
 * because providers differ in what they can answer faithfully:
 * - `intervals`: busy time the provider computed itself (Google `freeBusy.query`: merged blocks, transparent
 *   and cancelled events left out by Google, all-day events placed in the calendar's own zone);
 * - `events`: every event that may overlap the range, as the provider stores them (masters with their rules
 *   and all their exceptions, or provider-expanded occurrences); the caller expands series with our
 *   recurrence code and applies our busy rule (`blocksOwnerTime`), exactly as for stored events. CalDAV and
 *   Graph answer this way: a CalDAV server's VFREEBUSY ignores who declined, and Graph's getSchedule answers
 *   for a mailbox, not for one of its calendars.
 */
export type ProviderBusy = { kind: 'intervals'; intervals: ProviderBusyInterval[] } | { kind: 'events'; events: ProviderEvent[] };

/**
 * The one interface every calendar provider implements (Google, Microsoft Graph, CalDAV, and an in-memory
 * fake for tests); the same contract suite runs against each. Provider types never cross it. Every method
 * throws only AppErrors with `provider.*` codes: `auth_revoked`, `rate_limited` (retryAfterMs),
 * `unavailable`, `precondition_failed`, `not_found`, `cursor_invalid`, `input_invalid`.
 *
 * @example
 *   let page = await provider.listChanges({ calendar, cursor, window, pageToken: null });
 *   while (page.nextPageToken) page = await provider.listChanges({ calendar, cursor, window, pageToken: page.nextPageToken });
 *   store(page.nextCursor);
 */
export interface CalendarProvider {
  readonly kind: ProviderKind;
  readonly push: PushCapability;
  listCalendars(): Promise<ProviderCalendar[]>;
  /** `provider.cursor_invalid` when the cursor expired (Google 410, Graph 410, CalDAV 403 valid-sync-token). */
  listChanges(request: ChangeRequest): Promise<ChangePage>;
  getEvent(calendar: ProviderCalendarRef, providerEventId: string): Promise<ProviderEvent | null>;
  createEvent(calendar: ProviderCalendarRef, draft: EventDraft, options?: CreateOptions): Promise<ProviderEvent>;
  updateEvent(calendar: ProviderCalendarRef, providerEventId: string, draft: EventDraft, options?: WriteOptions): Promise<ProviderEvent>;
  /** Deleting an already-deleted event succeeds. */
  deleteEvent(calendar: ProviderCalendarRef, providerEventId: string, options?: WriteOptions): Promise<void>;
  /**
   * The provider id of the instance of series `seriesProviderEventId` that originally starts at
   * `originalStart` (Google and CalDAV derive it; Graph looks it up). Null when the series has no such
   * instance. Updating or deleting that id changes just that instance.
   */
  instanceId(calendar: ProviderCalendarRef, seriesProviderEventId: string, originalStart: EventTime): Promise<string | null>;
  /**
   * How a sync round would see this event right now: the changes `listChanges` would report for it (Google:
   * the event or its tombstone; Graph: the event, or a series' occurrences and exceptions inside `window`;
   * CalDAV: its whole resource). The write path stores exactly these, so the next sync finds them equal.
   */
  readAsSynced(calendar: ProviderCalendarRef, providerEventId: string, window: TimeRange): Promise<ProviderChange[]>;
  /** Throws `provider.input_invalid` when `push` is `none`. */
  subscribe(request: PushSubscribeRequest): Promise<PushSubscription>;
  /**
   * Extends a subscription. Graph extends in place; Google cannot, so it creates the replacement from
   * `request` (new channel id) and the caller stops the old one once the new one works.
   */
  renew(current: PushSubscription, request: PushSubscribeRequest): Promise<PushSubscription>;
  unsubscribe(calendar: ProviderCalendarRef, subscription: PushSubscription): Promise<void>;
  /**
   * Busy time of one calendar over `range` (at most 366 days), read live: free/busy asks for the parts of a
   * query outside the calendar's mirrored window. One call of ours; the adapter splits it where the provider
   * limits a request (Google freeBusy: 90 days) and pages through listings. A failure throws its typed error
   * (`rate_limited`, `unavailable`, `auth_revoked`, `not_found`), never an empty answer: empty means free.
   */
  queryBusy(calendar: ProviderCalendarRef, range: TimeRange): Promise<ProviderBusy>;
}

/** Builds the provider for one connection (loading and refreshing its credentials as needed). */
export interface CalendarProviderFactory {
  forConnection(connection: { tenantId: string; id: string; provider: ProviderKind; serverUrl: string | null }): Promise<CalendarProvider>;
}
