import type { Calendar, PushChannel } from '../domain/calendar.ts';

export type CalendarPatch = Partial<
  Pick<
    Calendar,
    | 'name'
    | 'description'
    | 'timeZone'
    | 'color'
    | 'isPrimary'
    | 'readOnly'
    | 'syncEnabled'
    | 'syncWindow'
    | 'push'
    | 'kind'
    | 'lastSyncStartedAt'
    | 'updatedAt'
  >
>;

export interface CursorAdvance {
  cursor: string | null;
  lastSyncedAt: string;
  lastFullSyncAt?: string;
  /** When the scheduler should next run a safety sync (or poll) for this calendar. */
  nextSyncAt: string;
}

export interface CalendarRef {
  tenantId: string;
  calendarId: string;
}

/**
 * A page of a cross-tenant index, oldest first. `next` continues after the last entry (pass it as `after`),
 * so a caller walks past entries that are still in the index — due calendars whose sync is queued but not
 * yet run, channels whose renewal failed — instead of being handed the same oldest page again.
 */
export interface CalendarRefPage {
  refs: CalendarRef[];
  next: string | null;
}

/**
 * Calendars, their sync cursors and their push channels.
 *
 * @example
 *   await calendars.advanceCursor(tenantId, calendarId, calendar.cursorVersion, { cursor, lastSyncedAt, nextSyncAt });
 */
export interface CalendarStore {
  get(tenantId: string, calendarId: string): Promise<Calendar | null>;
  listByConnection(tenantId: string, connectionId: string): Promise<Calendar[]>;
  /** Creates or replaces a calendar (discovery); keeps nothing of a previous item. */
  put(calendar: Calendar, nextSyncAt: string | null): Promise<void>;
  /** Field-level update without a version check (settings, push channel, sync start). */
  update(tenantId: string, calendarId: string, patch: CalendarPatch): Promise<Calendar>;
  /**
   * Stores the cursor a sync reached, conditional on `expectedCursorVersion`; bumps the version. Throws
   * `storage.conflict` when another run has advanced it first (its cursor is newer and must stay).
   */
  advanceCursor(tenantId: string, calendarId: string, expectedCursorVersion: number, advance: CursorAdvance): Promise<Calendar>;
  /** Drops the cursor (next sync is full), e.g. after a sync-window change. Bumps the cursor version. */
  resetCursor(tenantId: string, calendarId: string): Promise<void>;
  /**
   * Records that a sync is wanted. Returns true when the caller should enqueue a job: no request is pending
   * (none since the last sync started) or the pending one is older than `staleAfterMs` (its job was lost).
   * This is how bursts of pushes collapse into one queued job.
   */
  requestSync(tenantId: string, calendarId: string, at: Date, staleAfterMs: number): Promise<boolean>;
  /**
   * Takes the calendar's sync lease until `leaseUntil`, or returns false when another run holds an unexpired
   * one. Also stamps `lastSyncStartedAt = now`, which settles every request made before it.
   */
  acquireSyncLease(tenantId: string, calendarId: string, owner: string, now: Date, leaseUntil: Date): Promise<boolean>;
  releaseSyncLease(tenantId: string, calendarId: string, owner: string): Promise<void>;
  /** Calendars (all tenants) whose `nextSyncAt` is at or before `now`, sync-enabled only. */
  listDueForSync(now: Date, limit: number, after?: string | null): Promise<CalendarRefPage>;
  /** Calendars (all tenants) whose push channel expires before `before`. */
  listPushExpiringBefore(before: Date, limit: number, after?: string | null): Promise<CalendarRefPage>;
  delete(tenantId: string, calendarId: string): Promise<void>;
}

/** Global index from a provider push id (Google channel id, Graph subscription id) to its calendar. */
export interface PushChannelIndex {
  put(entry: PushChannelEntry): Promise<void>;
  get(channelId: string): Promise<PushChannelEntry | null>;
  delete(channelId: string): Promise<void>;
}

export interface PushChannelEntry {
  channelId: string;
  kind: PushChannel['kind'];
  tenantId: string;
  connectionId: string;
  calendarId: string;
  secretHash: string;
  expiresAt: string;
}
