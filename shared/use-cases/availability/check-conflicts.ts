import { AppError } from '../../domain/app-error.ts';
import type { BusyColumns } from '../../domain/busy-intervals.ts';
import { IntervalWriter, bufferedBusy, intersectSets, setContains, spanSet, startSet, subtractSets } from '../../domain/interval-set.ts';
import { makesOwnerBusy } from '../../domain/owner-busy.ts';
import { compileSchedule, type Schedule } from '../../domain/schedule.ts';
import { SlotGrid } from '../../domain/slot-grid.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { resolveTimeZoneName } from '../../domain/windows-time-zones.ts';
import { workingHours } from '../../domain/working-hours.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';
import { occurrenceIdOf } from '../list-events.ts';
import type { BusyTimeDeps, CalendarBusyTime } from './busy-time.ts';
import { blockedByAll, busySourceView, collectBusyNamingFields, unknownParts, type BusySourceView } from './busy-sets.ts';

export interface ConflictDeps extends BusyTimeDeps {
  schedules: Pick<ScheduleStore, 'get'>;
  clock: Clock;
}

export interface ConflictQuery {
  tenantId: string;
  calendarIds: string[];
  start: string;
  end: string;
  bufferBeforeMinutes?: number | undefined;
  bufferAfterMinutes?: number | undefined;
  scheduleId?: string | undefined;
  alternatives: number;
  intervalMinutes: number;
  /** Days before and after the proposed time searched for alternatives. */
  horizonDays: number;
  timeZone?: string | undefined;
}

export interface Conflict {
  calendarId: string;
  eventId: string | null;
  occurrenceId?: string;
  title: string | null;
  start: string;
  end: string;
  unknown?: boolean;
}

export interface ConflictResult {
  conflicts: Conflict[];
  outsideWorkingHours: boolean;
  alternatives: { start: string; end: string }[];
  timeZone: string;
  calendars: BusySourceView[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * What stands in the way of a proposed time (POST /v1/conflicts): the busy events of the calendars that
 * overlap it widened by its buffers (by title, from the store; busy time the provider reported without a
 * stored event, and time whose busy state is unknown, as entries without an event), whether it leaves the
 * schedule's working hours, and the nearest free slots of the same length before and after it.
 */
export async function checkConflicts(deps: ConflictDeps, query: ConflictQuery): Promise<ConflictResult> {
  const schedule = query.scheduleId ? await deps.schedules.get(query.tenantId, query.scheduleId) : null;
  if (query.scheduleId && !schedule) {
    throw new AppError('resource.not_found', `Schedule ${query.scheduleId} not found`, { details: { field: 'body.scheduleId', scheduleId: query.scheduleId } });
  }
  const startMs = Date.parse(query.start);
  const endMs = Date.parse(query.end);
  const durationMs = endMs - startMs;
  const beforeMs = (query.bufferBeforeMinutes ?? 0) * MINUTE_MS;
  const afterMs = (query.bufferAfterMinutes ?? 0) * MINUTE_MS;
  const windowStartMs = startMs - beforeMs;
  const windowEndMs = endMs + afterMs;
  const nowMs = deps.clock.now().getTime();

  const searching = query.alternatives > 0;
  const searchFromMs = Math.max(startMs - query.horizonDays * DAY_MS, nowMs);
  const searchToMs = endMs + query.horizonDays * DAY_MS;
  const busyStartMs = searching ? Math.min(windowStartMs, searchFromMs - beforeMs) : windowStartMs;
  const busyEndMs = searching ? Math.max(windowEndMs, searchToMs + afterMs) : windowEndMs;
  const calendarIds = [...new Set(query.calendarIds)];
  const results = await collectBusyNamingFields(
    deps,
    { tenantId: query.tenantId, calendarIds, range: { start: new Date(busyStartMs), end: new Date(busyEndMs) }, timeZone: schedule?.timeZone ?? null },
    (calendarId) => `body.calendarIds[${query.calendarIds.indexOf(calendarId)}]`,
  );

  const conflicts = await listConflicts(deps, query.tenantId, results, schedule, windowStartMs, windowEndMs);
  const rules = schedule ? compileSchedule(schedule) : null;
  const outsideWorkingHours = rules ? !setContains(workingHours(rules, startMs, endMs), startMs, endMs) : false;
  const timeZone = query.timeZone ?? schedule?.timeZone ?? 'UTC';

  let alternatives: { start: string; end: string }[] = [];
  if (searching && searchToMs - searchFromMs >= durationMs) {
    const working = rules ? workingHours(rules, searchFromMs, searchToMs) : spanSet(searchFromMs, searchToMs);
    const free = subtractSets(working, bufferedBusy(blockedByAll(results, busyStartMs, busyEndMs), beforeMs, afterMs));
    const starts = startSet(free, durationMs);
    const grid = new SlotGrid(timeZone, query.intervalMinutes, searchFromMs, searchToMs);
    alternatives = nearestStarts(starts, grid, startMs, query.alternatives).map((t) => ({ start: formatInstant(t), end: formatInstant(t + durationMs) }));
  }
  return { conflicts, outsideWorkingHours, alternatives, timeZone, calendars: results.map(busySourceView) };
}

/** The stored busy events overlapping the window, plus provider-only busy time and unknown time, by start. */
async function listConflicts(
  deps: ConflictDeps,
  tenantId: string,
  results: readonly CalendarBusyTime[],
  schedule: Schedule | null,
  windowStartMs: number,
  windowEndMs: number,
): Promise<Conflict[]> {
  const window = { start: new Date(windowStartMs), end: new Date(windowEndMs) };
  const zones = new Map(results.map((result) => [result.calendar.id, schedule?.timeZone ?? (result.calendar.timeZone ? resolveTimeZoneName(result.calendar.timeZone) : null)]));
  const stored = await deps.events.listInRange(tenantId, [...zones.keys()], window);
  await deps.expander.prepare(stored);
  const masterIds = new Map(stored.filter((event) => event.kind === 'master').map((event) => [event.providerEventId, event.id]));
  const conflicts: (Conflict & { startMs: number })[] = [];
  for (const occurrence of deps.expander.expand(stored, window, (calendarId) => zones.get(calendarId) ?? null)) {
    const { event } = occurrence;
    if (!makesOwnerBusy(event) || !(occurrence.startMs < windowEndMs && occurrence.endMs > windowStartMs)) continue;
    const conflict: Conflict & { startMs: number } = {
      calendarId: event.calendarId,
      // As the expanded events listing names it: `id` of the stored record, `occurrenceId` for a series instance.
      eventId: event.id,
      title: event.title,
      start: formatInstant(occurrence.startMs),
      end: formatInstant(occurrence.endMs),
      startMs: occurrence.startMs,
    };
    if (occurrence.originalStartMs !== null) conflict.occurrenceId = occurrenceIdOf(occurrence, masterIds, zones.get(event.calendarId) ?? null);
    conflicts.push(conflict);
  }
  const windowSet = spanSet(windowStartMs, windowEndMs);
  for (const result of results) {
    const id = result.calendar.id;
    // Busy time the provider answered has no stored event to name: listed as busy time without one.
    const provider = new IntervalWriter(4);
    for (const part of [...result.coverage].sort((a, b) => a.startMs - b.startMs)) if (part.source === 'provider') provider.push(part.startMs, part.endMs);
    pushParts(conflicts, id, intersectSets(intersectSets(result.busy, provider.done()), windowSet), false);
    pushParts(conflicts, id, intersectSets(unknownParts(result, windowStartMs, windowEndMs), windowSet), true);
  }
  conflicts.sort((a, b) => a.startMs - b.startMs || (a.calendarId < b.calendarId ? -1 : a.calendarId > b.calendarId ? 1 : 0));
  return conflicts.map(({ startMs: _startMs, ...conflict }) => conflict);
}

function pushParts(out: (Conflict & { startMs: number })[], calendarId: string, parts: BusyColumns, unknown: boolean): void {
  for (let i = 0; i < parts.length; i++) {
    const entry: Conflict & { startMs: number } = { calendarId, eventId: null, title: null, start: formatInstant(parts.starts[i]!), end: formatInstant(parts.ends[i]!), startMs: parts.starts[i]! };
    if (unknown) entry.unknown = true;
    out.push(entry);
  }
}

/**
 * Up to `count` grid starts in the start set nearest to `proposedMs` (the proposed start itself excluded),
 * searched outward on both sides; returned in time order. Ties go to the earlier one.
 */
export function nearestStarts(starts: BusyColumns, grid: SlotGrid, proposedMs: number, count: number): number[] {
  const before: number[] = [];
  for (let i = starts.length - 1; i >= 0 && before.length < count; i--) {
    if (starts.starts[i]! >= proposedMs) continue;
    for (let t = grid.floor(Math.min(starts.ends[i]! - 1, proposedMs - 1)); t >= starts.starts[i]! && before.length < count; t = grid.floor(t - 1)) before.push(t);
  }
  const after: number[] = [];
  for (let i = 0; i < starts.length && after.length < count; i++) {
    if (starts.ends[i]! <= proposedMs + 1) continue;
    for (let t = grid.ceil(Math.max(starts.starts[i]!, proposedMs + 1)); t < starts.ends[i]! && after.length < count; t = grid.ceil(t + 1)) after.push(t);
  }
  const picked: number[] = [];
  let b = 0;
  let a = 0;
  while (picked.length < count && (b < before.length || a < after.length)) {
    const takeBefore = a >= after.length || (b < before.length && proposedMs - before[b]! <= after[a]! - proposedMs);
    picked.push(takeBefore ? before[b++]! : after[a++]!);
  }
  return picked.sort((x, y) => x - y);
}
