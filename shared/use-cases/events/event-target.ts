import { inputError, notFound } from '../../domain/app-error.ts';
import type { CalendarEvent, EventTime } from '../../domain/calendar-event.ts';
import { eventIdOf } from '../sync/sync-session.ts';
import type { EventWriteDeps, WriteContext } from './event-write-context.ts';

export type EventScope = 'instance' | 'following' | 'series';

/**
 * What a write's `{eventId}` names at the provider: a single event, a whole series, or one instance of a
 * series (by the series' provider id and the instance's original start; its own provider id when known).
 */
export type EventTarget =
  | { kind: 'single'; providerEventId: string; stored: CalendarEvent | null }
  | { kind: 'series'; seriesId: string; stored: CalendarEvent | null }
  | { kind: 'instance'; seriesId: string; originalStart: EventTime; providerEventId: string; stored: CalendarEvent | null };

/** `20261207T090000Z` or `20261207` (the tail of an occurrenceId) as an EventTime in `zone`. */
function originalStartOf(suffix: string, zone: string | null): EventTime {
  const date = `${suffix.slice(0, 4)}-${suffix.slice(4, 6)}-${suffix.slice(6, 8)}`;
  if (suffix.length === 8) return { date };
  return { dateTime: `${date}T${suffix.slice(9, 11)}:${suffix.slice(11, 13)}:${suffix.slice(13, 15)}Z`, timeZone: zone };
}

const zoneOf = (event: CalendarEvent): string | null => ('dateTime' in event.start ? event.start.timeZone : null);

/**
 * Finds the target of `eventRef`: a stored event id, or an occurrenceId (`<series id>_<original start>`)
 * from an expanded listing. Graph stores a series as its members only, so a master's id (as a write of
 * that series answered it) is found through the members that name it. Unknown ids are 404.
 */
export async function resolveEventTarget(deps: EventWriteDeps, context: WriteContext, eventRef: string): Promise<EventTarget> {
  const { calendar, provider, ref } = context;
  const [baseId = eventRef, suffix] = eventRef.split('_').length > 2 ? [eventRef.slice(0, eventRef.lastIndexOf('_')), eventRef.slice(eventRef.lastIndexOf('_') + 1)] : [eventRef];
  const stored = (await deps.events.getMany(calendar.tenantId, calendar.id, [baseId])).get(baseId) ?? null;

  let seriesId: string;
  let seriesZone: string | null = calendar.timeZone;
  if (stored?.kind === 'master') {
    seriesId = stored.providerEventId;
    seriesZone = zoneOf(stored);
  } else if (stored && (stored.kind === 'occurrence' || stored.kind === 'exception') && stored.recurringEventId) {
    // An instance stored on its own (a Google exception, a Graph occurrence): itself, whatever the suffix says.
    return { kind: 'instance', seriesId: stored.recurringEventId, originalStart: stored.originalStart ?? stored.start, providerEventId: stored.providerEventId, stored };
  } else if (stored) {
    if (suffix) throw notFound('Event');
    return { kind: 'single', providerEventId: stored.providerEventId, stored };
  } else {
    const member = (await deps.events.listVersions(calendar.tenantId, calendar.id)).find((v) => v.recurringEventId && eventIdOf(calendar.id, v.recurringEventId) === baseId);
    if (!member) throw notFound('Event');
    seriesId = member.recurringEventId!;
  }
  if (!suffix) return { kind: 'series', seriesId, stored };
  const originalStart = originalStartOf(suffix, seriesZone);
  const instanceId = await provider.instanceId(ref, seriesId, originalStart);
  if (!instanceId) throw notFound('Event instance');
  return { kind: 'instance', seriesId, originalStart, providerEventId: instanceId, stored: null };
}

/** The scope a write applies with: instances default to `instance`, series to `series`; a scope that names no instance is a 400. */
export function effectiveScope(target: EventTarget, requested: EventScope | undefined): EventScope {
  if (target.kind === 'instance') return requested ?? 'instance';
  if (requested === 'instance' || requested === 'following') {
    throw inputError('query.scope', target.kind === 'single' ? 'this event is not recurring; leave scope out' : `scope=${requested} needs one instance: use its occurrenceId from an expanded listing`);
  }
  return 'series';
}
