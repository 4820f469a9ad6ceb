import { inputError, notFound } from '../../domain/app-error.ts';
import type { ProviderEvent } from '../../domain/calendar-event.ts';
import { eventTimeOrderMs } from '../../domain/event-write.ts';
import { ulid } from '../../domain/ids.ts';
import { toCalendarEvent } from '../sync/sync-session.ts';
import { mergeDraft, shiftDraft, type EventFields } from './event-draft.ts';
import { deleteEventMeeting, followEventMeeting, withoutEventMeeting } from './event-zoom.ts';
import { effectiveScope, resolveEventTarget, type EventScope } from './event-target.ts';
import { openCalendarForWrite, providerWrite, toEventView, type EventView, type EventWriteDeps, type WriteContext } from './event-write-context.ts';
import { mirrorWrite } from './mirror-write.ts';
import { splitSeries } from './split-series.ts';

export interface UpdateCalendarEventRequest {
  tenantId: string;
  calendarId: string;
  /** A stored event id, or an occurrenceId (`<series id>_<original start>`) for one instance. */
  eventId: string;
  scope?: EventScope | undefined;
  /** Only the fields to change. */
  fields: EventFields;
  /** As for create: names the provider event a `following` split creates. */
  key?: string | undefined;
}

/** An instance as it is now: its own provider event, or (never edited, e.g. on CalDAV) the series at that time. */
async function currentInstance(context: WriteContext, target: { seriesId: string; providerEventId: string; originalStart: ProviderEvent['start'] }): Promise<ProviderEvent> {
  const own = await context.provider.getEvent(context.ref, target.providerEventId);
  if (own) return own;
  const master = await context.provider.getEvent(context.ref, target.seriesId);
  if (!master) throw notFound('Event');
  const durationMs = eventTimeOrderMs(master.end) - eventTimeOrderMs(master.start);
  const startMs = eventTimeOrderMs(target.originalStart);
  const end = 'date' in target.originalStart ? { date: new Date(startMs + durationMs).toISOString().slice(0, 10) } : { dateTime: new Date(startMs + durationMs).toISOString().replace('.000Z', 'Z'), timeZone: 'dateTime' in master.start ? master.start.timeZone : null };
  return { ...master, providerEventId: target.providerEventId, kind: 'exception', recurrence: null, recurringEventId: master.providerEventId, originalStart: target.originalStart, start: target.originalStart, end };
}

/**
 * Changes an event at its provider — a single event, a series, or for an instance of a series just it
 * (`instance`), it and the ones after (`following`, a split), or the whole series (`series`, the patch's
 * time change applied to every instance) — then stores and announces the result like createCalendarEvent.
 */
export async function updateCalendarEvent(deps: EventWriteDeps, request: UpdateCalendarEventRequest): Promise<EventView> {
  const context = await openCalendarForWrite(deps, request.tenantId, request.calendarId);
  const { calendar, provider, ref } = context;
  const target = await resolveEventTarget(deps, context, request.eventId);
  const scope = effectiveScope(target, request.scope);
  const kind = calendar.provider;

  if (target.kind === 'instance' && scope === 'instance') {
    if (request.fields.recurrence !== undefined) throw inputError('body.recurrence', 'one instance has no rule of its own; use scope=following or scope=series');
    const current = await currentInstance(context, target);
    const updated = await providerWrite(() => provider.updateEvent(ref, target.providerEventId, mergeDraft(current, request.fields, calendar.timeZone, kind)));
    await mirrorWrite(deps, context, { providerEventIds: [updated.providerEventId] });
    return toEventView(toCalendarEvent(calendar, updated));
  }

  if (target.kind === 'instance' && scope === 'following') {
    const key = `${request.tenantId}/${request.calendarId}/${request.key ?? ulid()}`;
    const outcome = await splitSeries(deps, context, { seriesId: target.seriesId, split: target.originalStart, patch: request.fields, key });
    if (outcome !== 'whole-series') {
      await mirrorWrite(deps, context, { providerEventIds: outcome.touched, seriesIds: outcome.touched });
      if (!outcome.created) throw inputError('query.scope', 'no instance of the series follows this one');
      return toEventView(toCalendarEvent(calendar, outcome.created));
    }
  }

  // The whole series (or a single event). From an instance, the patch's times move every instance alike.
  const id = target.kind === 'single' ? target.providerEventId : target.seriesId;
  const current = await provider.getEvent(ref, id);
  if (!current) throw notFound('Event');
  // The event or series as the provider has it now (Graph stores no series master of its own).
  const before = toCalendarEvent(calendar, current);
  // `conference: null` on an event with its own Zoom meeting: the link text goes, then the meeting.
  const { fields, dropsMeeting } = await withoutEventMeeting(deps, request.tenantId, before, request.fields);
  let draft = mergeDraft(current, fields, calendar.timeZone, kind);
  if (target.kind === 'instance' && (request.fields.start !== undefined || request.fields.end !== undefined)) {
    const instance = await currentInstance(context, target);
    const moved = mergeDraft(instance, request.fields, calendar.timeZone, kind);
    const base = mergeDraft(current, { ...request.fields, start: undefined, end: undefined }, calendar.timeZone, kind);
    const durationMs = eventTimeOrderMs(moved.end) - eventTimeOrderMs(moved.start);
    const shifted = shiftDraft(base, eventTimeOrderMs(moved.start) - eventTimeOrderMs(instance.start));
    draft = { ...shifted, end: shiftDraft({ ...shifted, end: shifted.start }, durationMs).end };
  }
  const updated = await providerWrite(() => provider.updateEvent(ref, id, draft, { etag: current.etag }));
  await mirrorWrite(deps, context, { providerEventIds: [id], seriesIds: target.kind === 'single' ? [] : [id] });
  const after = toCalendarEvent(calendar, updated);
  // The event's own Zoom meeting (made by its create) moves with it; the calendar change stands regardless.
  if (dropsMeeting) await deleteEventMeeting(deps, request.tenantId, before);
  else await followEventMeeting(deps, request.tenantId, before, after);
  return toEventView(after);
}
