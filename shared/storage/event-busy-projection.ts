import { AppError } from '../domain/app-error.ts';
import { BusyIntervalBuffer, parseInstantMs } from '../domain/busy-intervals.ts';
import { addSingleEvent, type StoredBusyTime } from '../domain/busy-projection.ts';
import type { CalendarEvent, EventTime } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { blocksOwnerTime } from '../domain/event-time.ts';
import type { StoredItem } from './item-codec.ts';

/**
 * The busy-time projection of one calendar's event items (EventStore.listBusyInRange), read straight from
 * the items as the DynamoDB document client hands them over. Single events, the bulk, are never turned into
 * CalendarEvent objects: their kind, status, transparency and attendees decide whether they block
 * (`blocksOwnerTime`, the one busy rule), and a timed one adds its `startMs`/`endMs` numbers (older items:
 * its two ISO instants, parsed by arithmetic) to typed arrays. Series parts (the same test as
 * `isSeriesPart`) are decoded in full for the expander. Only the fields busy time reads are checked on a
 * single event; an item whose fields do not have the expected types is decoded in full, so a corrupt item
 * still fails loudly.
 */
export function projectBusyItems(
  items: readonly StoredItem[],
  calendarId: string,
  range: TimeRange,
  decodeEvent: (item: StoredItem) => CalendarEvent,
  busyIndexItems: readonly StoredItem[] = [],
): StoredBusyTime {
  const timed = new BusyIntervalBuffer(range.start.getTime(), range.end.getTime(), items.length + busyIndexItems.length + 1);
  const allDay: StoredBusyTime['allDay'] = [];
  const series: CalendarEvent[] = [];
  addBusyIndexItems(busyIndexItems, timed, allDay);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const kind = item.kind;
    const seriesPart =
      kind === 'master'
        ? Array.isArray(item.recurrence) && item.recurrence.length > 0
        : (kind === 'exception' || kind === 'occurrence') && item.recurringEventId !== null && item.recurringEventId !== undefined;
    if (seriesPart) {
      series.push(decodeEvent(item));
      continue;
    }
    if (!hasBusyFields(item)) {
      addSingleEvent(decodeEvent(item), timed, allDay);
      continue;
    }
    if (!blocksOwnerTime(item)) continue;
    if (!addStoredTimes(item, timed, allDay)) addSingleEvent(decodeEvent(item), timed, allDay);
  }
  return { calendarId, timed, allDay, series };
}

/**
 * Items read from gsi4 (`busyByStart`): single events that block by construction (`eventBusyIndex`), carrying
 * only the projected busy fields. An item whose projected fields do not have the expected types fails
 * loudly: it cannot be decoded in full from the index.
 */
function addBusyIndexItems(items: readonly StoredItem[], timed: BusyIntervalBuffer, allDay: StoredBusyTime['allDay']): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!addStoredTimes(item, timed, allDay)) throw new AppError('internal.unexpected', `busy index item ${String(item.sk)} has no readable start and end`, { retryable: false });
  }
}

/**
 * Adds a blocking single event's time from its stored fields: the `startMs`/`endMs` numbers, else (older
 * items) its two ISO instants parsed by arithmetic, else its all-day dates. False when none is readable.
 */
function addStoredTimes(item: StoredItem, timed: BusyIntervalBuffer, allDay: StoredBusyTime['allDay']): boolean {
  const startMs = item.startMs;
  const endMs = item.endMs;
  if (typeof startMs === 'number' && typeof endMs === 'number') {
    timed.add(startMs, endMs);
    return true;
  }
  const start = item.start as Partial<Record<'dateTime' | 'date', unknown>> | null | undefined;
  const end = item.end as Partial<Record<'dateTime' | 'date', unknown>> | null | undefined;
  const startText = start?.dateTime;
  const endText = end?.dateTime;
  if (typeof startText === 'string' && typeof endText === 'string') timed.add(parseInstantMs(startText), parseInstantMs(endText));
  else if (isEventTime(start) && isEventTime(end)) allDay.push({ start, end });
  else return false;
  return true;
}

/** Whether the fields `blocksOwnerTime` reads have their stored types (attendees: objects). */
function hasBusyFields(item: StoredItem): item is StoredItem & Pick<CalendarEvent, 'status' | 'transparency' | 'attendees'> {
  if (typeof item.status !== 'string' || typeof item.transparency !== 'string') return false;
  const attendees = item.attendees;
  if (!Array.isArray(attendees)) return false;
  for (let i = 0; i < attendees.length; i++) if (typeof attendees[i] !== 'object' || attendees[i] === null) return false;
  return true;
}

function isEventTime(value: Partial<Record<'dateTime' | 'date', unknown>> | null | undefined): value is EventTime {
  return value !== null && typeof value === 'object' && (typeof value.date === 'string' || typeof value.dateTime === 'string');
}
