import { AppError } from '../../domain/app-error.ts';
import type { BusyColumns } from '../../domain/busy-intervals.ts';
import { bufferedBusy, spanSet, subtractSets, unionSets } from '../../domain/interval-set.ts';
import { compileSchedule, type CompiledSchedule, type Schedule } from '../../domain/schedule.ts';
import { SlotGrid } from '../../domain/slot-grid.ts';
import { searchSlots, type SlotMode, type SlotParticipant } from '../../domain/slot-search.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import { workingHours } from '../../domain/working-hours.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';
import type { BusyTimeDeps, CalendarBusyTime } from './busy-time.ts';
import { blockedBy, busySourceView, collectBusyNamingFields, type BusySourceView } from './busy-sets.ts';

export interface AvailabilityDeps extends BusyTimeDeps {
  schedules: Pick<ScheduleStore, 'getMany'>;
  clock: Clock;
}

/** A person, or a group of which `required` members must be free ("all" or a count, default 1). */
export interface AvailabilityParticipant {
  calendarIds?: string[] | undefined;
  scheduleId?: string | undefined;
  required?: boolean | 'all' | number | undefined;
  group?: { calendarIds: string[]; scheduleId?: string | undefined }[] | undefined;
}

export interface AvailabilityQuery {
  tenantId: string;
  participants: AvailabilityParticipant[];
  mode?: SlotMode | undefined;
  start: string;
  end: string;
  durationMinutes: number;
  intervalMinutes?: number | undefined;
  bufferBeforeMinutes?: number | undefined;
  bufferAfterMinutes?: number | undefined;
  minimumNoticeMinutes?: number | undefined;
  maxResults?: number | undefined;
  timeZone?: string | undefined;
}

export interface AvailabilitySlot {
  start: string;
  end: string;
  participants: number[];
  members?: Record<string, number[]>;
}

export interface AvailabilityResult {
  slots: AvailabilitySlot[];
  timeZone: string;
  calendars: BusySourceView[];
}

const MINUTE_MS = 60_000;
export const DEFAULT_MAX_RESULTS = 100;

/** One set of calendars with one schedule: a person, or one member of a group. */
interface Unit {
  participant: number;
  calendarIds: string[];
  scheduleId: string | undefined;
  /** Request path of the unit (`body.participants[1]`, `body.participants[2].group[0]`). */
  field: string;
}

function unitsOf(participants: readonly AvailabilityParticipant[]): Unit[][] {
  return participants.map((participant, index) => {
    const field = `body.participants[${index}]`;
    if (participant.group) {
      return participant.group.map((member, m) => ({ participant: index, calendarIds: member.calendarIds, scheduleId: member.scheduleId, field: `${field}.group[${m}]` }));
    }
    return [{ participant: index, calendarIds: participant.calendarIds ?? [], scheduleId: participant.scheduleId, field }];
  });
}

/**
 * When the participants are free (POST /v1/availability). Per person or group member: working hours of its
 * schedule (or the whole range), minus its calendars' busy time widened by the buffers, minus any time its
 * busy state is unknown. Busy time is collected once per distinct all-day zone (a participant's schedule
 * zone, else each calendar's own) over the range plus the buffers; then `searchSlots` does the rest on
 * typed arrays.
 */
export async function findAvailability(deps: AvailabilityDeps, query: AvailabilityQuery): Promise<AvailabilityResult> {
  const units = unitsOf(query.participants);
  const flat = units.flat();
  const schedules = await loadSchedules(deps, query.tenantId, flat);
  const rangeStartMs = Date.parse(query.start);
  const rangeEndMs = Date.parse(query.end);
  const beforeMs = (query.bufferBeforeMinutes ?? 0) * MINUTE_MS;
  const afterMs = (query.bufferAfterMinutes ?? 0) * MINUTE_MS;
  // Busy time just outside the range still matters to the buffers of slots at its edges.
  const busyStartMs = rangeStartMs - beforeMs;
  const busyEndMs = rangeEndMs + afterMs;

  const busyByZone = await collectByZone(deps, query.tenantId, flat, schedules, busyStartMs, busyEndMs);
  const compiled = new Map<string, CompiledSchedule>();
  const availabilityOf = (unit: Unit): BusyColumns => {
    const schedule = unit.scheduleId ? schedules.get(unit.scheduleId)! : null;
    let working: BusyColumns;
    if (schedule) {
      let rules = compiled.get(schedule.id);
      if (!rules) compiled.set(schedule.id, (rules = compileSchedule(schedule)));
      working = workingHours(rules, rangeStartMs, rangeEndMs);
    } else working = spanSet(rangeStartMs, rangeEndMs);
    const results = busyByZone.get(zoneKey(schedule))!;
    const blocked = unionSets(unit.calendarIds.map((id) => blockedBy(results.get(id)!, busyStartMs, busyEndMs)));
    return subtractSets(working, bufferedBusy(blocked, beforeMs, afterMs));
  };

  const participants: SlotParticipant[] = query.participants.map((participant, index) => {
    if (participant.group) {
      const required = participant.required;
      const need = required === 'all' ? participant.group.length : typeof required === 'number' ? required : 1;
      return { kind: 'group', members: units[index]!.map(availabilityOf), need };
    }
    return { kind: 'person', available: availabilityOf(units[index]![0]!), required: participant.required !== false };
  });

  const timeZone = query.timeZone ?? firstScheduleZone(flat, schedules) ?? 'UTC';
  const durationMs = query.durationMinutes * MINUTE_MS;
  const noticeFromMs = deps.clock.now().getTime() + (query.minimumNoticeMinutes ?? 0) * MINUTE_MS;
  const found = searchSlots({
    participants,
    mode: query.mode ?? 'collective',
    durationMs,
    fromMs: Math.max(rangeStartMs, noticeFromMs),
    toMs: rangeEndMs,
    grid: new SlotGrid(timeZone, query.intervalMinutes ?? query.durationMinutes, rangeStartMs, rangeEndMs),
    maxResults: query.maxResults ?? DEFAULT_MAX_RESULTS,
  });

  const slots = found.map((slot): AvailabilitySlot => {
    const out: AvailabilitySlot = { start: formatInstant(slot.startMs), end: formatInstant(slot.endMs), participants: slot.participants };
    if (slot.members) out.members = Object.fromEntries([...slot.members].map(([group, free]) => [String(group), free]));
    return out;
  });
  return { slots, timeZone, calendars: sourcesOf(flat, schedules, busyByZone) };
}

async function loadSchedules(deps: AvailabilityDeps, tenantId: string, units: readonly Unit[]): Promise<Map<string, Schedule>> {
  const ids = [...new Set(units.map((unit) => unit.scheduleId).filter((id): id is string => id !== undefined))];
  const found = await deps.schedules.getMany(tenantId, ids);
  const missing = units.find((unit) => unit.scheduleId !== undefined && !found.has(unit.scheduleId));
  if (missing) {
    throw new AppError('resource.not_found', `Schedule ${missing.scheduleId} not found`, { details: { field: `${missing.field}.scheduleId`, scheduleId: missing.scheduleId } });
  }
  return found;
}

const zoneKey = (schedule: Schedule | null): string => schedule?.timeZone ?? '';

/** Busy time per all-day zone and calendar: a calendar shared by participants of two zones is read twice. */
async function collectByZone(
  deps: AvailabilityDeps,
  tenantId: string,
  units: readonly Unit[],
  schedules: ReadonlyMap<string, Schedule>,
  startMs: number,
  endMs: number,
): Promise<Map<string, Map<string, CalendarBusyTime>>> {
  const calendarsByZone = new Map<string, Set<string>>();
  for (const unit of units) {
    const key = zoneKey(unit.scheduleId ? schedules.get(unit.scheduleId)! : null);
    let set = calendarsByZone.get(key);
    if (!set) calendarsByZone.set(key, (set = new Set()));
    for (const id of unit.calendarIds) set.add(id);
  }
  const fieldOf = (calendarId: string): string => {
    for (const unit of units) {
      const index = unit.calendarIds.indexOf(calendarId);
      if (index >= 0) return `${unit.field}.calendarIds[${index}]`;
    }
    return 'body.participants';
  };
  const range = { start: new Date(startMs), end: new Date(endMs) };
  const entries = await Promise.all(
    [...calendarsByZone].map(async ([zone, ids]) => {
      const results = await collectBusyNamingFields(deps, { tenantId, calendarIds: [...ids], range, timeZone: zone === '' ? null : zone }, fieldOf);
      return [zone, new Map(results.map((result) => [result.calendar.id, result]))] as const;
    }),
  );
  return new Map(entries);
}

function firstScheduleZone(units: readonly Unit[], schedules: ReadonlyMap<string, Schedule>): string | null {
  for (const unit of units) if (unit.scheduleId) return schedules.get(unit.scheduleId)!.timeZone;
  return null;
}

/** One entry per calendar, in the order the query names them, with the participants it belongs to. */
function sourcesOf(units: readonly Unit[], schedules: ReadonlyMap<string, Schedule>, busyByZone: ReadonlyMap<string, ReadonlyMap<string, CalendarBusyTime>>): BusySourceView[] {
  const views = new Map<string, BusySourceView & { participants: number[] }>();
  for (const unit of units) {
    const results = busyByZone.get(zoneKey(unit.scheduleId ? schedules.get(unit.scheduleId)! : null))!;
    for (const id of unit.calendarIds) {
      const result = results.get(id)!;
      let view = views.get(id);
      if (!view) views.set(id, (view = { ...busySourceView(result), participants: [] }));
      // A calendar read in two zones reports the first error either read met.
      if (!view.error && result.error) view.error = result.error;
      if (!view.participants.includes(unit.participant)) view.participants.push(unit.participant);
    }
  }
  return [...views.values()];
}
