import { inputError, notFound } from '../domain/app-error.ts';
import type { CalendarEvent, EventTime } from '../domain/calendar-event.ts';
import { isAllDay } from '../domain/calendar-event.ts';
import type { TimeRange } from '../domain/calendar.ts';
import { eventIntervalUtc, eventTimeToUtcMs } from '../domain/event-time.ts';
import { zoneOffsetMs } from '../domain/time-zone.ts';
import { resolveTimeZoneName } from '../domain/windows-time-zones.ts';
import type { CalendarStore } from '../ports/calendar-store.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { Occurrence, RecurrenceExpander } from '../ports/recurrence-expander.ts';
import { formatInstant } from '../domain/timestamps.ts';

export interface ListEventsDeps {
  calendars: Pick<CalendarStore, 'get'>;
  events: Pick<EventStore, 'listInRange'>;
  expander: RecurrenceExpander;
}

export interface ListEventsInput {
  tenantId: string;
  calendarId: string;
  range: TimeRange;
  cursor?: string | undefined;
  limit: number;
  /** Expand series into occurrences (default of the API) or return the stored records. */
  expand: boolean;
}

/** A stored event as served (no tenant); in expanded listings one occurrence with its own start and end. */
export type EventListItem = Omit<CalendarEvent, 'tenantId'> & { occurrenceId?: string };

export interface EventListPage {
  items: EventListItem[];
  nextCursor: string | null;
}

interface SortedItem {
  startMs: number;
  key: string;
  item: EventListItem;
}

/**
 * The events of one of the tenant's calendars overlapping a range, sorted by start then id, one page at a
 * time. The page is cut from the whole range, computed afresh each call (a range holds at most a year of one
 * calendar), so the cursor needs to carry only the last item's sort key.
 */
export async function listEvents(deps: ListEventsDeps, input: ListEventsInput): Promise<EventListPage> {
  const after = input.cursor ? decodeEventCursor(input.cursor) : null;
  const calendar = await deps.calendars.get(input.tenantId, input.calendarId);
  if (!calendar) throw notFound('Calendar');
  // Calendar zones should be IANA; a Windows name is translated and junk read as UTC, never a 500.
  const zone = calendar.timeZone ? resolveTimeZoneName(calendar.timeZone) : null;
  const stored = await deps.events.listInRange(input.tenantId, [calendar.id], input.range);
  await deps.expander.prepare(stored);
  const sorted = input.expand ? expandedItems(deps.expander, stored, input.range, zone) : storedItems(deps.expander, stored, input.range, zone);
  sorted.sort(compareSorted);

  const from = after ? firstAfter(sorted, after) : 0;
  const page = sorted.slice(from, from + input.limit);
  const last = page.at(-1);
  const hasMore = from + input.limit < sorted.length;
  return { items: page.map((entry) => entry.item), nextCursor: hasMore && last ? encodeEventCursor({ startMs: last.startMs, key: last.key }) : null };
}

function withoutTenant(event: CalendarEvent): Omit<CalendarEvent, 'tenantId'> {
  const { tenantId: _tenantId, ...rest } = event;
  return rest;
}

function expandedItems(expander: RecurrenceExpander, stored: readonly CalendarEvent[], range: TimeRange, zone: string | null): SortedItem[] {
  // Instances of a series are named after the series (its master), also when an exception stands in.
  const masterIds = new Map<string, string>();
  for (const event of stored) if (event.kind === 'master') masterIds.set(event.providerEventId, event.id);
  return expander.expand(stored, range, () => zone).map((occurrence) => {
    const occurrenceId = occurrenceIdOf(occurrence, masterIds, zone);
    const { event } = occurrence;
    const item: EventListItem = { ...withoutTenant(event), occurrenceId };
    // Every item is placed at its occurrence's own time (series instances, overrides shifted by a
    // THISANDFUTURE edit), written in one format whatever the provider stored.
    item.start = occurrenceTime(occurrence.startDate, occurrence.startMs, event.start);
    item.end = occurrenceTime(occurrence.endDate, occurrence.endMs, event.end);
    if (event.kind === 'master') item.originalStart = item.start;
    return { startMs: occurrence.startMs, key: occurrenceId, item };
  });
}

function occurrenceTime(date: string | null, ms: number, like: EventTime): EventTime {
  if (date !== null) return { date };
  return { dateTime: formatInstant(ms), timeZone: isAllDay(like) ? null : like.timeZone };
}

/** `<series id>_<original start>`: `20261105T140000Z` for timed series, `20261105` for all-day ones. */
export function occurrenceIdOf(occurrence: Occurrence, masterIds: ReadonlyMap<string, string>, zone: string | null): string {
  const { event, originalStartMs } = occurrence;
  if (originalStartMs === null) return event.id;
  const seriesId = event.kind === 'master' ? event.id : (masterIds.get(event.recurringEventId ?? '') ?? event.id);
  if (occurrence.startDate !== null) {
    const localMs = originalStartMs + (zone ? zoneOffsetMs(zone, originalStartMs) : 0);
    return `${seriesId}_${new Date(localMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
  }
  return `${seriesId}_${new Date(originalStartMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

function storedItems(expander: RecurrenceExpander, stored: readonly CalendarEvent[], range: TimeRange, zone: string | null): SortedItem[] {
  const rangeStartMs = range.start.getTime();
  const rangeEndMs = range.end.getTime();
  const out: SortedItem[] = [];
  for (const event of stored) {
    if (!isListedRecord(expander, event, range, zone, rangeStartMs, rangeEndMs)) continue;
    out.push({ startMs: eventTimeToUtcMs(event.start, zone), key: event.id, item: withoutTenant(event) });
  }
  return out;
}

/**
 * Which stored records an unexpanded listing shows (as Google does with `singleEvents=false`): masters with
 * an instance in the range, exceptions overlapping it (cancelled ones too: they remove an instance, by their
 * original start), other events when they overlap it and are not cancelled.
 */
function isListedRecord(expander: RecurrenceExpander, event: CalendarEvent, range: TimeRange, zone: string | null, rangeStartMs: number, rangeEndMs: number): boolean {
  if (event.kind === 'master' && event.recurrence && event.recurrence.length > 0) {
    return expander.expand([event], range, () => zone).length > 0;
  }
  const { startMs, endMs } = eventIntervalUtc(event, zone);
  const overlaps = endMs > startMs ? startMs < rangeEndMs && endMs > rangeStartMs : startMs >= rangeStartMs && startMs < rangeEndMs;
  if (event.status !== 'cancelled') return overlaps;
  if (event.kind !== 'exception' || !event.originalStart) return false;
  const originalMs = eventTimeToUtcMs(event.originalStart, zone);
  return overlaps || (originalMs >= rangeStartMs && originalMs < rangeEndMs);
}

function compareSorted(a: { startMs: number; key: string }, b: { startMs: number; key: string }): number {
  if (a.startMs !== b.startMs) return a.startMs - b.startMs;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Index of the first item sorting after `after` (binary search). */
function firstAfter(sorted: readonly SortedItem[], after: { startMs: number; key: string }): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareSorted(sorted[middle]!, after) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function encodeEventCursor(position: { startMs: number; key: string }): string {
  return Buffer.from(JSON.stringify([position.startMs, position.key]), 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string): { startMs: number; key: string } {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || !Number.isFinite(decoded[0]) || typeof decoded[1] !== 'string' || decoded[1].length > 512) {
    throw inputError('query.cursor', 'cursor is not valid: pass back the nextCursor of a previous page');
  }
  return { startMs: decoded[0] as number, key: decoded[1] };
}
