import type { Attendee, EventDraft, EventTime, ProviderEvent } from '../../domain/calendar-event.ts';
import { isAllDay } from '../../domain/calendar-event.ts';
import { parseRule } from '../../recurrence/recurrence-lines.ts';

const DAY_MS = 86_400_000;

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `20240108T140000Z` / `20240108` (the tail of an override id) as an EventTime in the series' zone. */
export function recurrenceIdTime(recurrenceId: string, zone: string | null): EventTime {
  const date = `${recurrenceId.slice(0, 4)}-${recurrenceId.slice(4, 6)}-${recurrenceId.slice(6, 8)}`;
  if (recurrenceId.length === 8) return { date };
  return { dateTime: `${date}T${recurrenceId.slice(9, 11)}:${recurrenceId.slice(11, 13)}:${recurrenceId.slice(13, 15)}Z`, timeZone: zone };
}

function timeMs(time: EventTime): number {
  return isAllDay(time) ? Date.parse(`${time.date}T00:00:00Z`) : Date.parse(time.dateTime);
}

function shifted(time: EventTime, byMs: number): EventTime {
  const ms = timeMs(time) + byMs;
  return isAllDay(time) ? { date: new Date(ms).toISOString().slice(0, 10) } : { dateTime: isoSeconds(ms), timeZone: time.timeZone };
}

/** An override for one occurrence of `master` that has none yet: the series' fields at that occurrence. */
export function overrideFromMaster(master: ProviderEvent, providerEventId: string, recurrenceId: string): ProviderEvent {
  const originalStart = recurrenceIdTime(recurrenceId, isAllDay(master.start) ? null : master.start.timeZone);
  const duration = timeMs(master.end) - timeMs(master.start);
  return {
    ...master,
    providerEventId,
    kind: 'exception',
    recurrence: null,
    recurringEventId: master.providerEventId,
    originalStart,
    start: originalStart,
    end: shifted(originalStart, isAllDay(originalStart) ? Math.max(DAY_MS, duration) : duration),
  };
}

function mergeAttendees(previous: readonly Attendee[], wanted: NonNullable<EventDraft['attendees']>): Attendee[] {
  return wanted.map((attendee) => {
    const known = previous.find((p) => p.email?.toLowerCase() === attendee.email.toLowerCase());
    return {
      email: attendee.email,
      name: attendee.name ?? known?.name ?? null,
      responseStatus: known?.responseStatus ?? 'needs_action',
      optional: attendee.optional ?? false,
      organizer: known?.organizer ?? false,
      self: known?.self ?? false,
    };
  });
}

/**
 * `event` changed as the draft says, with patch semantics like the other providers: fields the draft leaves
 * out keep their value, `null` clears. A draft's recurrence turns a single event into a series (and an
 * empty one back); overrides keep theirs. Updating a cancelled occurrence brings it back.
 */
export function applyDraft(event: ProviderEvent, draft: EventDraft, now: Date): ProviderEvent {
  const isOverride = event.kind === 'exception' || event.kind === 'occurrence';
  const recurrence = isOverride ? event.recurrence : draft.recurrence === undefined ? event.recurrence : draft.recurrence && draft.recurrence.length > 0 ? draft.recurrence : null;
  return {
    ...event,
    kind: isOverride ? event.kind : recurrence ? 'master' : 'single',
    title: draft.title,
    description: draft.description === undefined ? event.description : draft.description,
    location: draft.location === undefined ? event.location : draft.location,
    start: draft.start,
    end: draft.end,
    status: event.status === 'cancelled' ? 'confirmed' : event.status,
    transparency: draft.transparency ?? event.transparency,
    attendees: draft.attendees ? mergeAttendees(event.attendees, draft.attendees) : event.attendees,
    recurrence,
    updated: isoSeconds(now.getTime()),
  };
}

/** The master with an EXDATE for the occurrence `recurrenceId` (canonical recurrence-line form). */
export function cancelOccurrence(master: ProviderEvent, recurrenceId: string, now: Date): ProviderEvent {
  const line = recurrenceId.length === 8 ? `EXDATE;VALUE=DATE:${recurrenceId}` : `EXDATE:${recurrenceId}`;
  const lines = master.recurrence ?? [];
  return { ...master, recurrence: lines.includes(line) ? lines : [...lines, line], updated: isoSeconds(now.getTime()) };
}

/** `20261214T085959Z` / `20261214` (an RRULE UNTIL) as ms; null when absent or unreadable. */
function untilMs(recurrence: readonly string[] | null): number | null {
  const rule = recurrence?.find((line) => /^RRULE:/i.test(line));
  const until = rule ? parseRule(rule.slice(rule.indexOf(':') + 1))?.get('UNTIL') : undefined;
  const match = until ? /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(until) : null;
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4] ?? 23), Number(match[5] ?? 59), Number(match[6] ?? 59));
}

/** Ids of the overrides in `events` whose instance lies after the UNTIL of `master`'s rule. */
export function overridesPastUntil(events: readonly ProviderEvent[], master: ProviderEvent): string[] {
  const until = untilMs(master.recurrence);
  if (until === null) return [];
  return events.filter((e) => e.kind === 'exception' && e.originalStart && timeMs(e.originalStart) > until).map((e) => e.providerEventId);
}
