import { isSeriesPart } from '../domain/busy-projection.ts';
import { isAllDay, type CalendarEvent, type EventTime } from '../domain/calendar-event.ts';
import { blocksOwnerTime } from '../domain/event-time.ts';
import { ENTITY_ATTRIBUTE, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { INDEX } from './table-schema.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Events up to this long are indexed by start time; a range query then only looks back this far. Longer
 * events (and series masters, which have no end) are indexed under `X#` and read on every range query.
 */
export const MAX_INDEXED_EVENT_MS = 14 * DAY_MS;
/** Zones run from UTC−12 to UTC+14: widening a date by 14 h each side covers its day in every zone. */
export const ALL_DAY_PAD_MS = 14 * HOUR_MS;

/** Attributes beside the domain fields of an event item. */
export const EVENT_INDEX_ATTRIBUTES = ['startUtc', 'endUtc', 'startMs', 'endMs'] as const;
/** The index key attributes an event item may carry (rewritten by the busy-index backfill). */
export const EVENT_INDEX_KEYS = [INDEX.byParent.partitionKey, INDEX.byParent.sortKey, INDEX.busyByStart.partitionKey, INDEX.busyByStart.sortKey] as const;

function instantMs(time: EventTime, side: 'start' | 'end'): number {
  if (!isAllDay(time)) return Date.parse(time.dateTime);
  const midnight = Date.parse(`${time.date}T00:00:00.000Z`);
  return side === 'start' ? midnight - ALL_DAY_PAD_MS : midnight + ALL_DAY_PAD_MS;
}

/**
 * Where an event sits on the time index: its UTC span (all-day dates widened to cover every zone) and its
 * gsi1 sort key: `S#` for bounded single events, `R#` for bounded series parts (exceptions, occurrences), so
 * busy time reads the few series parts without the many singles, `X#` for masters and long events.
 * `startUtc`/`endUtc` are stored for every event that is not a master, so long events can be filtered too.
 */
export function eventTimeIndex(event: CalendarEvent): StoredItem {
  if (event.kind === 'master') return { [INDEX.byParent.sortKey]: keys.eventUnboundedSortKey(event.id) };
  let startMs = instantMs(event.start, 'start');
  let endMs = Math.max(startMs, instantMs(event.end, 'end'));
  if (event.originalStart) {
    // An instance moved away from its original start must still be found by a range holding that start:
    // without it the expander would put the series' original instance back there.
    startMs = Math.min(startMs, instantMs(event.originalStart, 'start'));
    endMs = Math.max(endMs, isAllDay(event.originalStart) ? instantMs(event.originalStart, 'end') : Date.parse(event.originalStart.dateTime) + 1);
  }
  const startUtc = new Date(startMs).toISOString();
  const span = { startUtc, endUtc: new Date(endMs).toISOString() };
  return endMs - startMs > MAX_INDEXED_EVENT_MS
    ? { ...span, [INDEX.byParent.sortKey]: keys.eventUnboundedSortKey(event.id) }
    : {
        ...span,
        [INDEX.byParent.sortKey]: isSeriesPart(event) ? keys.eventSeriesTimeSortKey(startUtc, event.id) : keys.eventTimeSortKey(startUtc, event.id),
      };
}

/**
 * gsi4 (`busyByStart`) keys: only for a bounded single event that makes its owner busy (`blocksOwnerTime`,
 * the one busy rule), so the index holds exactly what free/busy adds up. Every write replaces the whole
 * item, so an event that stops blocking (cancelled, transparent, declined, turned into a series) loses them.
 */
export function eventBusyIndex(event: CalendarEvent, timeIndex: StoredItem): StoredItem {
  const sortKey = timeIndex[INDEX.byParent.sortKey];
  if (typeof sortKey !== 'string' || !sortKey.startsWith('S#') || isSeriesPart(event) || !blocksOwnerTime(event)) return {};
  return { [INDEX.busyByStart.partitionKey]: keys.busyEventsByTime(event.tenantId, event.calendarId), [INDEX.busyByStart.sortKey]: sortKey };
}

/**
 * The event's own start and end as epoch-ms numbers, for timed events that are not masters: free/busy reads
 * them straight from the item (a number attribute) instead of parsing two ISO strings per event, which was
 * most of its cost (test/bench/free-busy.bench.ts). All-day dates get none: their instants depend on the
 * zone they are read in. Items written before these existed are read from `start`/`end` instead.
 */
export function eventBusyInstants(event: CalendarEvent): StoredItem {
  if (event.kind === 'master' || isAllDay(event.start) || isAllDay(event.end)) return {};
  const startMs = Date.parse(event.start.dateTime);
  const endMs = Date.parse(event.end.dateTime);
  return Number.isFinite(startMs) && Number.isFinite(endMs) ? { startMs, endMs } : {};
}

export function eventItem(event: CalendarEvent): StoredItem {
  const timeIndex = eventTimeIndex(event);
  return {
    ...keys.event(event.tenantId, event.calendarId, event.id),
    [ENTITY_ATTRIBUTE]: 'event',
    ...event,
    [INDEX.byParent.partitionKey]: keys.eventsByTime(event.tenantId, event.calendarId),
    ...timeIndex,
    ...eventBusyIndex(event, timeIndex),
    ...eventBusyInstants(event),
  };
}
