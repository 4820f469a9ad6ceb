import { notFound } from '../domain/app-error.ts';
import { calendarKindOf, toCalendarView, type Calendar, type CalendarKind, type CalendarView, type SyncWindow } from '../domain/calendar.ts';
import type { CalendarPatch, CalendarStore } from '../ports/calendar-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore } from '../ports/event-store.ts';
import { stopPushChannel, type PushDeps } from './push/push-channels.ts';
import { requestSync, type RequestSyncDeps } from './sync/request-sync.ts';

/**
 * What else happens when a calendar's sync is switched: queue its first sync, stop its push channel. Kept
 * behind an interface so push management can plug in without this use-case knowing providers.
 */
export interface CalendarSyncHooks {
  onSyncEnabled(calendar: Calendar): Promise<void>;
  onSyncDisabled(calendar: Calendar): Promise<void>;
}

export interface UpdateCalendarDeps {
  calendars: Pick<CalendarStore, 'get' | 'update' | 'resetCursor'>;
  events: Pick<EventStore, 'deleteAllOfCalendar'>;
  hooks: CalendarSyncHooks;
  clock: Clock;
}

export interface CalendarSettingsChange {
  syncEnabled?: boolean | undefined;
  /** Sides left out keep their current value. */
  syncWindow?: { pastDays?: number | undefined; futureDays?: number | undefined } | undefined;
  /** A person's calendar, a room's or a resource's; kept by later discoveries. */
  kind?: CalendarKind | undefined;
}

/**
 * Changes a calendar's sync settings:
 * - a changed window drops the cursor, so the next sync is a full listing of the new window (events that
 *   fell out of it are removed by that sync);
 * - turning sync off deletes the stored events at once (stale events must not block free/busy), drops the
 *   cursor (a later enable must list everything again, not continue from a cursor over deleted events) and
 *   lets the hooks stop push;
 * - turning it on drops the cursor and lets the hooks queue a full sync.
 * Safe to repeat after a failure half-way: asking for `syncEnabled: false` again finishes the deletion and
 * the push teardown even when the flag is already off.
 */
export async function updateCalendar(deps: UpdateCalendarDeps, tenantId: string, calendarId: string, change: CalendarSettingsChange): Promise<CalendarView> {
  const current = await deps.calendars.get(tenantId, calendarId);
  if (!current) throw notFound('Calendar');

  const window: SyncWindow = {
    pastDays: change.syncWindow?.pastDays ?? current.syncWindow.pastDays,
    futureDays: change.syncWindow?.futureDays ?? current.syncWindow.futureDays,
  };
  const windowChanged = window.pastDays !== current.syncWindow.pastDays || window.futureDays !== current.syncWindow.futureDays;
  const enabledChanged = change.syncEnabled !== undefined && change.syncEnabled !== current.syncEnabled;

  let calendar = current;
  // Written even when it equals the inferred kind: a kind set by hand is never overwritten by discovery.
  if (change.kind !== undefined && (current.kind === undefined || change.kind !== calendarKindOf(current))) {
    calendar = await deps.calendars.update(tenantId, calendarId, { kind: change.kind, updatedAt: deps.clock.now().toISOString() });
  }
  if (windowChanged || enabledChanged) {
    const patch: CalendarPatch = { updatedAt: deps.clock.now().toISOString() };
    if (windowChanged) patch.syncWindow = window;
    if (enabledChanged) patch.syncEnabled = change.syncEnabled;
    calendar = await deps.calendars.update(tenantId, calendarId, patch);
    await deps.calendars.resetCursor(tenantId, calendarId);
  }

  if (change.syncEnabled === false) {
    await deps.events.deleteAllOfCalendar(tenantId, calendarId);
    await deps.hooks.onSyncDisabled(calendar);
  } else if (enabledChanged || (windowChanged && calendar.syncEnabled)) {
    // A new window is applied by a full listing, so it is queued now rather than at the next safety sync.
    await deps.hooks.onSyncEnabled(calendar);
  }
  return toCalendarView(calendar);
}

/**
 * The hooks of the API: enabling asks for a full sync (recorded on the calendar, then queued, even when an
 * incremental request is pending); disabling forgets the push channel (index entry and `calendar.push`).
 * Stopping the channel at the provider needs the account's credentials, which the calendars API does not
 * hold: until the channel expires its pushes find no calendar and are ignored, and it is not renewed.
 */
export function defaultCalendarSyncHooks(deps: RequestSyncDeps & PushDeps): CalendarSyncHooks {
  return {
    async onSyncEnabled(calendar) {
      await requestSync(deps, [calendar], 'manual', { full: true });
    },
    async onSyncDisabled(calendar) {
      await stopPushChannel(deps, calendar, null);
    },
  };
}
