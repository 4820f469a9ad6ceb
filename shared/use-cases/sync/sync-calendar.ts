import { AppError, isAppError, toAppError } from '../../domain/app-error.ts';
import { syncWindowRange, type Calendar } from '../../domain/calendar.ts';
import type { Connection } from '../../domain/connection.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import type { CalendarProvider, CalendarProviderFactory, ChangePage } from '../../ports/calendar-provider.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { EventStore } from '../../ports/event-store.ts';
import type { Log } from '../../ports/log.ts';
import { recordReauthRequired, recordSyncFailure, recordSyncSuccess } from './connection-health.ts';
import { SyncSession } from './sync-session.ts';

export interface SyncSettings {
  /** Minutes until the next safety sync of a calendar with push. */
  syncIntervalMinutes: number;
  /** Minutes until the next poll of a calendar without push (CalDAV). */
  pollIntervalMinutes: number;
  /** How long one run may hold a calendar (≥ the worker's timeout). */
  leaseSeconds: number;
  /** A full listing that comes back empty while at least this many events are stored is read twice. */
  suspiciousEmptyThreshold: number;
  /** Upper bound of pages in one round (a provider looping on page tokens must not hold a worker forever). */
  maxPagesPerRound: number;
  /**
   * A full round is forced when the last one is older than this. Providers apply the window only to full
   * listings (Google's sync token and Graph's delta link keep the first window), so the days that move into
   * the window's far end are listed only by a new full round.
   */
  fullResyncIntervalHours: number;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  syncIntervalMinutes: 360,
  pollIntervalMinutes: 5,
  leaseSeconds: 900,
  suspiciousEmptyThreshold: 3,
  maxPagesPerRound: 10_000,
  fullResyncIntervalHours: 24,
};

export interface SyncDeps {
  calendars: CalendarStore;
  events: EventStore;
  connections: ConnectionStore;
  providers: CalendarProviderFactory;
  publisher: EventPublisher;
  clock: Clock;
  log: Log;
  settings: SyncSettings;
}

export interface SyncRequest {
  tenantId: string;
  calendarId: string;
  /** When the need arose: a run that started after it already covers it. */
  requestedAt: Date;
  /** Ignore the cursor (first sync, window change, subscriptionRemoved). */
  full?: boolean;
  /** Who runs it (lease owner), e.g. the Lambda request id. */
  runId: string;
}

export type SyncOutcome =
  | { status: 'synced'; mode: 'full' | 'incremental'; resynced: boolean; pages: number; created: number; updated: number; deleted: number; unchanged: number }
  | { status: 'skipped'; reason: 'calendar_not_found' | 'sync_disabled' | 'connection_not_found' | 'connection_inactive' | 'coalesced' }
  | { status: 'superseded' }
  | { status: 'reauth_required' }
  | { status: 'failed'; code: string };

/**
 * The calendar's sync was turned off, or its cursor reset (window change, re-enable), while this run was
 * going: what the run still has to write belongs to a state that no longer exists.
 */
class CalendarChangedMeanwhile extends AppError {
  constructor() {
    super('storage.conflict', 'The calendar was switched off or reset while it synced', { retryable: false });
  }
}

/**
 * Checked before every page is written (and before the tombstoning of a full round): the calendar read at
 * the start must still be sync-enabled at the same cursor version. The last word is still the conditional
 * cursor write; this stops a run early, so it writes and announces nothing after the switch.
 */
async function assertUnchanged(deps: SyncDeps, calendar: Calendar): Promise<void> {
  const current = await deps.calendars.get(calendar.tenantId, calendar.id);
  if (!current || !current.syncEnabled || current.cursorVersion !== calendar.cursorVersion) throw new CalendarChangedMeanwhile();
}

/**
 * A run that lost to a change of the calendar: if its sync is off now, anything the run wrote between the
 * switch's deletion and now is removed again (the switch deletes what it sees; this deletes what came after).
 */
async function standDown(deps: SyncDeps, calendar: Calendar): Promise<SyncOutcome> {
  const current = await deps.calendars.get(calendar.tenantId, calendar.id);
  if (!current || !current.syncEnabled) await deps.events.deleteAllOfCalendar(calendar.tenantId, calendar.id);
  deps.log.info('calendar changed while it synced; this run stands down', { calendarId: calendar.id, syncEnabled: current?.syncEnabled ?? false });
  return { status: 'superseded' };
}

/**
 * Whether a run that started after `requestedAt` has also finished: only a completed run covers a request.
 * A run that was killed (no `finally`, no restore) left `lastSyncStartedAt` stamped with no `lastSyncedAt`
 * after it; counting it would drop the killed job's own retry as "coalesced" and leave the rest of the
 * change to the next safety sync. A run still going holds the lease, so the job waits for it instead.
 */
function settledBy(calendar: Calendar, requestedAt: Date): boolean {
  if (!calendar.lastSyncStartedAt || Date.parse(calendar.lastSyncStartedAt) < requestedAt.getTime()) return false;
  return calendar.lastSyncedAt !== null && Date.parse(calendar.lastSyncedAt) >= Date.parse(calendar.lastSyncStartedAt);
}

/** Thrown (retryable) when another run holds the calendar; the job comes back after the delay. */
export const SYNC_BUSY_RETRY_MS = 15_000;

interface RoundResult {
  cursor: string | null;
  pages: number;
}

/**
 * Syncs one calendar from its provider into the store (reliability.md §5):
 * - one run per calendar at a time (a lease), and requests older than the last run's start are settled;
 * - full listing within the window when there is no cursor, else incremental from the cursor, page by page;
 * - `cursor_invalid` → exactly one full resync that tombstones what the provider no longer has;
 * - events are written (and evented) page by page, the cursor last, conditional on its version, so a crash
 *   repeats work but never skips a change, and a concurrent run cannot overwrite a newer cursor;
 * - connection health is recorded (counter, sync_failed, disabled after 5, reauth_required).
 */
export async function syncCalendar(deps: SyncDeps, request: SyncRequest): Promise<SyncOutcome> {
  const calendar = await deps.calendars.get(request.tenantId, request.calendarId);
  if (!calendar) return { status: 'skipped', reason: 'calendar_not_found' };
  if (!calendar.syncEnabled) return { status: 'skipped', reason: 'sync_disabled' };
  const connection = await deps.connections.get(request.tenantId, calendar.connectionId);
  if (!connection) return { status: 'skipped', reason: 'connection_not_found' };
  if (connection.status === 'reauth_required' || connection.status === 'disabled') return { status: 'skipped', reason: 'connection_inactive' };
  if (!request.full && settledBy(calendar, request.requestedAt)) return { status: 'skipped', reason: 'coalesced' };

  const now = deps.clock.now();
  const acquired = await deps.calendars.acquireSyncLease(request.tenantId, calendar.id, request.runId, now, new Date(now.getTime() + deps.settings.leaseSeconds * 1000));
  if (!acquired) {
    throw new AppError('storage.conflict', 'Another run is syncing this calendar', { retryable: true, retryAfterMs: SYNC_BUSY_RETRY_MS });
  }
  try {
    const provider = await deps.providers.forConnection(connection);
    return await runSync(deps, request, calendar, connection, provider);
  } catch (thrown) {
    if (thrown instanceof CalendarChangedMeanwhile) return await standDown(deps, calendar);
    const error = toAppError(thrown);
    // A failed run settles nothing: taking the lease stamped lastSyncStartedAt, and left so the retry of this
    // very job (same requestedAt) would be skipped as "coalesced" and the change lost until the next safety
    // sync. Put the stamp back while the lease still keeps other runs out.
    await deps.calendars.update(request.tenantId, calendar.id, { lastSyncStartedAt: calendar.lastSyncStartedAt }).catch((restoreError: unknown) => {
      deps.log.warn('could not restore lastSyncStartedAt after a failed run', { calendarId: calendar.id, error: String(restoreError) });
    });
    if (error.code === 'provider.auth_revoked') {
      await recordReauthRequired(deps, connection, error);
      deps.log.warn('connection needs reauthorization', { connectionId: connection.id, calendarId: calendar.id });
      return { status: 'reauth_required' };
    }
    if (error.code === 'provider.rate_limited') throw error;
    await recordSyncFailure(deps, connection, error);
    deps.log.warn('calendar sync failed', { connectionId: connection.id, calendarId: calendar.id, code: error.code, retryable: error.retryable });
    if (error.retryable) throw error;
    return { status: 'failed', code: error.code };
  } finally {
    await deps.calendars.releaseSyncLease(request.tenantId, calendar.id, request.runId).catch((error: unknown) => {
      deps.log.warn('could not release sync lease (it expires on its own)', { calendarId: calendar.id, error: String(error) });
    });
  }
}

async function runSync(deps: SyncDeps, request: SyncRequest, calendar: Calendar, connection: Connection, provider: CalendarProvider): Promise<SyncOutcome> {
  const startedAt = deps.clock.now();
  const lastFull = calendar.lastFullSyncAt ? Date.parse(calendar.lastFullSyncAt) : 0;
  const fullDue = startedAt.getTime() - lastFull > deps.settings.fullResyncIntervalHours * 3_600_000;
  let cursor = request.full || fullDue ? null : calendar.cursor;
  let resynced = false;
  let session: SyncSession;
  let round: RoundResult;
  for (;;) {
    session = new SyncSession({ events: deps.events, publisher: deps.publisher, now: () => deps.clock.now() }, calendar, syncWindowRange(calendar.syncWindow, startedAt), cursor === null);
    try {
      round = await runRound(deps, provider, calendar, session, cursor);
      if (cursor === null && (await needsConfirmingRead(deps, session))) {
        // vdirsyncer's rule: a calendar that suddenly looks empty is read once more before anything is deleted.
        session = new SyncSession({ events: deps.events, publisher: deps.publisher, now: () => deps.clock.now() }, calendar, syncWindowRange(calendar.syncWindow, startedAt), true);
        round = await runRound(deps, provider, calendar, session, null);
      }
      break;
    } catch (error) {
      if (isAppError(error, 'provider.cursor_invalid') && cursor !== null && !resynced) {
        deps.log.info('sync cursor expired, running one full resync', { calendarId: calendar.id });
        cursor = null;
        resynced = true;
        continue;
      }
      throw error;
    }
  }
  const full = cursor === null;
  if (full) {
    await assertUnchanged(deps, calendar);
    await session.finishFullRound();
  }

  const finishedAt = deps.clock.now();
  const intervalMinutes = provider.push === 'none' ? deps.settings.pollIntervalMinutes : deps.settings.syncIntervalMinutes;
  try {
    await deps.calendars.advanceCursor(calendar.tenantId, calendar.id, calendar.cursorVersion, {
      cursor: round.cursor,
      lastSyncedAt: finishedAt.toISOString(),
      ...(full ? { lastFullSyncAt: finishedAt.toISOString() } : {}),
      nextSyncAt: new Date(finishedAt.getTime() + intervalMinutes * 60_000).toISOString(),
    });
  } catch (error) {
    if (isAppError(error, 'storage.conflict')) {
      deps.log.warn('another run advanced the cursor first, or the calendar was reset or switched off; keeping what is there', { calendarId: calendar.id });
      return standDown(deps, calendar);
    }
    throw error;
  }
  await recordSyncSuccess(deps, connection);
  const counts = session.counts;
  await deps.publisher.publish([
    domainEvent('calendar.sync.completed', calendar.tenantId, {
      connectionId: calendar.connectionId,
      calendarId: calendar.id,
      mode: full ? 'full' : 'incremental',
      resynced,
      ...counts,
      pages: round.pages,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    }, { time: finishedAt }),
  ]);
  return { status: 'synced', mode: full ? 'full' : 'incremental', resynced, pages: round.pages, ...counts };
}

async function runRound(deps: SyncDeps, provider: CalendarProvider, calendar: Calendar, session: SyncSession, cursor: string | null): Promise<RoundResult> {
  await session.start();
  const window = syncWindowRange(calendar.syncWindow, deps.clock.now());
  const ref = { providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone };
  let pageToken: string | null = null;
  let page: ChangePage;
  let pages = 0;
  do {
    if (pages >= deps.settings.maxPagesPerRound) {
      throw new AppError('provider.unavailable', `More than ${deps.settings.maxPagesPerRound} pages in one sync round`, { retryable: false });
    }
    page = await provider.listChanges({ calendar: ref, cursor, window, pageToken });
    pages += 1;
    await assertUnchanged(deps, calendar);
    await session.applyPage(page.changes);
    pageToken = page.nextPageToken;
  } while (pageToken);
  if (!page.nextCursor && provider.kind !== 'caldav') {
    deps.log.warn('provider finished a round without a cursor; next sync will be full', { calendarId: calendar.id });
  }
  return { cursor: page.nextCursor, pages };
}

async function needsConfirmingRead(deps: SyncDeps, session: SyncSession): Promise<boolean> {
  if (session.seenCount > 0) return false;
  const unseen = await session.unseenStoredIds();
  return unseen.length >= deps.settings.suspiciousEmptyThreshold;
}
