import { startOfDateUtcMs, wallTimeAt } from '../../../shared/domain/time-zone.ts';
import { dayFromNumber, dayNumber, formatDateOnly, formatWall, instantOf, parseDateTimeText, utcWall } from './graph-time.ts';
import { occurrenceId } from './ids.ts';
import type { MailboxStore } from './mailbox-store.ts';
import type { EventContent, StoredEvent, TimeWindow, ViewItem, WallDateTime } from './model.ts';
import { expandSeries, type SeriesSpec } from './recurrence.ts';
import { resolveTimeZone } from './time-zones.ts';

/**
 * What `calendarView` shows: single instances, and each series expanded into occurrences and exceptions
 * (cancelled occurrences are gone), restricted to the items that overlap a window.
 */
const spanCache = new WeakMap<object, { startMs: number; endMs: number }>();

function zoneOf(name: string): string {
  return resolveTimeZone(name) ?? 'UTC';
}

function instantOfWall(value: WallDateTime): number {
  const parsed = parseDateTimeText(value.dateTime);
  if (!parsed) throw new Error(`stored dateTime is not valid: ${value.dateTime}`);
  return instantOf(parsed, zoneOf(value.timeZone));
}

export function spanOf(content: Pick<EventContent, 'start' | 'end'>): { startMs: number; endMs: number } {
  let span = spanCache.get(content);
  if (!span) {
    span = { startMs: instantOfWall(content.start), endMs: instantOfWall(content.end) };
    spanCache.set(content, span);
  }
  return span;
}

/** The stored wall-time text of an instant in a Graph time-zone name. */
export function wallText(utcMs: number, timeZoneName: string): string {
  const zone = zoneOf(timeZoneName);
  return formatWall(zone === 'UTC' ? utcWall(utcMs) : wallTimeAt(zone, utcMs)).slice(0, 19);
}

/** Graph's calendarView overlap rule; a zero-length event counts when it starts inside the window. */
export function overlaps(startMs: number, endMs: number, window: TimeWindow): boolean {
  if (startMs === endMs) return startMs >= window.startMs && startMs < window.endMs;
  return startMs < window.endMs && endMs > window.startMs;
}

export function seriesSpec(master: StoredEvent): SeriesSpec {
  if (!master.recurrence) throw new Error('not a series master');
  const zone = zoneOf(master.recurrence.range.recurrenceTimeZone || master.start.timeZone);
  const { startMs, endMs } = spanOf(master);
  const wall = zone === 'UTC' ? utcWall(startMs) : wallTimeAt(zone, startMs);
  const startDay = parseDateTimeText(master.start.dateTime)!.wall;
  const endDay = parseDateTimeText(master.end.dateTime)!.wall;
  return {
    recurrence: master.recurrence,
    zone,
    timeOfDay: { hour: wall.hour, minute: wall.minute, second: wall.second },
    durationMs: endMs - startMs,
    allDayDays: master.isAllDay ? Math.max(1, dayNumber(endDay) - dayNumber(startDay)) : null,
  };
}

/** The end of the generated occurrence that starts at `originalStartMs` (all-day: midnight N days later). */
function occurrenceEnd(spec: SeriesSpec, originalStartMs: number): number {
  if (spec.allDayDays === null) return originalStartMs + spec.durationMs;
  const wall = spec.zone === 'UTC' ? utcWall(originalStartMs) : wallTimeAt(spec.zone, originalStartMs);
  return startOfDateUtcMs(formatDateOnly(dayFromNumber(dayNumber(wall) + spec.allDayDays)), spec.zone);
}

function singleItem(event: StoredEvent): ViewItem {
  const { startMs, endMs } = spanOf(event);
  return { id: event.id, type: 'singleInstance', event, originalStartMs: null, content: event, startMs, endMs, changeKey: event.changeKey, lastModifiedMs: event.lastModifiedMs };
}

function instanceItem(master: StoredEvent, originalStartMs: number, generatedEndMs: number): ViewItem {
  const zoneName = master.start.timeZone;
  const generated: EventContent = {
    ...master,
    start: { dateTime: wallText(originalStartMs, zoneName), timeZone: zoneName },
    end: { dateTime: wallText(generatedEndMs, master.end.timeZone), timeZone: master.end.timeZone },
  };
  const override = master.exceptions.get(originalStartMs);
  const content: EventContent = override ? { ...generated, ...override.fields } : generated;
  const { startMs, endMs } = override ? spanOf(content) : { startMs: originalStartMs, endMs: generatedEndMs };
  return {
    id: occurrenceId(master.id, originalStartMs),
    type: override ? 'exception' : 'occurrence',
    event: master,
    originalStartMs,
    content,
    startMs,
    endMs,
    changeKey: override?.changeKey ?? master.changeKey,
    lastModifiedMs: override?.lastModifiedMs ?? master.lastModifiedMs,
  };
}

/** The view items of one stored event (a single event, or a series expanded) that overlap `window`. */
export function itemsInWindow(event: StoredEvent, window: TimeWindow): ViewItem[] {
  if (!event.recurrence) {
    const item = singleItem(event);
    return overlaps(item.startMs, item.endMs, window) ? [item] : [];
  }
  const items: ViewItem[] = [];
  const spec = seriesSpec(event);
  // Generated occurrences can only overlap when they start before the window ends; exceptions may have
  // moved anywhere, so they are checked one by one.
  for (const occurrence of expandSeries(spec, window.endMs)) {
    if (event.cancelledOccurrences.has(occurrence.originalStartMs) || event.exceptions.has(occurrence.originalStartMs)) continue;
    if (overlaps(occurrence.startMs, occurrence.endMs, window)) items.push(instanceItem(event, occurrence.originalStartMs, occurrence.endMs));
  }
  for (const originalStartMs of event.exceptions.keys()) {
    if (event.cancelledOccurrences.has(originalStartMs)) continue;
    const item = instanceItem(event, originalStartMs, occurrenceEnd(spec, originalStartMs));
    if (overlaps(item.startMs, item.endMs, window)) items.push(item);
  }
  return items;
}

export function sortItems(items: ViewItem[]): ViewItem[] {
  return items.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function calendarView(store: MailboxStore, calendarId: string, window: TimeWindow): ViewItem[] {
  const items: ViewItem[] = [];
  for (const event of store.eventsIn(calendarId)) items.push(...itemsInWindow(event, window));
  return sortItems(items);
}

/** The generated end of the occurrence that starts at `originalStartMs`, or null when the series has none there. */
export function generatedOccurrenceEnd(master: StoredEvent, originalStartMs: number): number | null {
  for (const occurrence of expandSeries(seriesSpec(master), originalStartMs + 1)) {
    if (occurrence.originalStartMs === originalStartMs) return occurrence.endMs;
  }
  return null;
}

/** An occurrence or exception by its original start; null when cancelled or not part of the series. */
export function occurrenceItem(master: StoredEvent, originalStartMs: number): ViewItem | null {
  if (!master.recurrence || master.cancelledOccurrences.has(originalStartMs)) return null;
  const end = generatedOccurrenceEnd(master, originalStartMs);
  return end === null ? null : instanceItem(master, originalStartMs, end);
}

export function singleViewItem(event: StoredEvent): ViewItem {
  return singleItem(event);
}
