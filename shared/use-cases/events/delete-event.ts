import type { CalendarEvent } from '../../domain/calendar-event.ts';
import { ulid } from '../../domain/ids.ts';
import { toCalendarEvent } from '../sync/sync-session.ts';
import { deleteEventMeeting } from './event-zoom.ts';
import { effectiveScope, resolveEventTarget, type EventScope } from './event-target.ts';
import { openCalendarForWrite, providerWrite, type EventWriteDeps, type WriteContext } from './event-write-context.ts';
import { mirrorWrite } from './mirror-write.ts';
import { splitSeries } from './split-series.ts';

export interface DeleteCalendarEventRequest {
  tenantId: string;
  calendarId: string;
  eventId: string;
  scope?: EventScope | undefined;
}

/**
 * Deletes an event at its provider: a single event, a whole series, one instance (the provider cancels it:
 * a cancelled exception on Google, a deleted occurrence on Graph, an EXDATE on CalDAV), or an instance and
 * the ones after it (the series ends before it). Deleting what is already gone succeeds. Stores and
 * announces the result like the other writes.
 */
export async function deleteCalendarEvent(deps: EventWriteDeps, request: DeleteCalendarEventRequest): Promise<void> {
  const context = await openCalendarForWrite(deps, request.tenantId, request.calendarId);
  const { provider, ref } = context;
  const target = await resolveEventTarget(deps, context, request.eventId);
  const scope = effectiveScope(target, request.scope);

  if (target.kind === 'instance' && scope === 'instance') {
    await providerWrite(() => provider.deleteEvent(ref, target.providerEventId));
    await mirrorWrite(deps, context, { providerEventIds: [target.providerEventId] });
    return;
  }
  if (target.kind === 'instance' && scope === 'following') {
    const outcome = await splitSeries(deps, context, { seriesId: target.seriesId, split: target.originalStart, patch: null, key: ulid() });
    if (outcome !== 'whole-series') {
      await mirrorWrite(deps, context, { providerEventIds: outcome.touched, seriesIds: outcome.touched });
      return;
    }
  }
  const id = target.kind === 'single' ? target.providerEventId : target.seriesId;
  // A series' own Zoom meeting is named by its link; Graph keeps no stored master to read it from.
  const before = target.kind === 'single' || target.stored?.kind === 'master' || !deps.video ? target.stored : await seriesAsProviderHasIt(context, id);
  await providerWrite(() => provider.deleteEvent(ref, id));
  await mirrorWrite(deps, context, { providerEventIds: [id], seriesIds: target.kind === 'single' ? [] : [id] });
  // The event's own Zoom meeting goes with it (a booking's is deleted by the booking's cancel).
  await deleteEventMeeting(deps, request.tenantId, before);
}

/** Read only to find its meeting: a failure here must not stop the delete (the meeting then stays at Zoom). */
async function seriesAsProviderHasIt(context: WriteContext, seriesId: string): Promise<CalendarEvent | null> {
  const series = await context.provider.getEvent(context.ref, seriesId).catch(() => null);
  return series ? toCalendarEvent(context.calendar, series) : null;
}
