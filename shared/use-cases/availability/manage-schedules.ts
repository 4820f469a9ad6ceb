import { AppError, notFound } from '../../domain/app-error.ts';
import { newId } from '../../domain/ids.ts';
import { scheduleProblems, type Schedule, type ScheduleContent } from '../../domain/schedule.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SchedulePatch, ScheduleStore } from '../../ports/schedule-store.ts';

export interface ScheduleAdminDeps {
  schedules: ScheduleStore;
  clock: Clock;
}

export type ScheduleView = Omit<Schedule, 'tenantId' | 'version'>;

export interface ScheduleInput {
  name: string;
  timeZone: string;
  weekly: ScheduleContent['weekly'];
  overrides?: ScheduleContent['overrides'] | undefined;
}

export type SchedulePatchInput = Partial<Pick<ScheduleInput, 'name' | 'timeZone' | 'weekly' | 'overrides'>>;

export function toScheduleView(schedule: Schedule): ScheduleView {
  return {
    id: schedule.id,
    name: schedule.name,
    timeZone: schedule.timeZone,
    weekly: schedule.weekly,
    overrides: schedule.overrides,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
  };
}

/** The HTTP contract checks this already; repeated here so no caller can store a schedule the sweep misreads. */
function assertValid(content: Partial<ScheduleContent>): void {
  const problems = scheduleProblems(content);
  if (problems.length === 0) return;
  const errors = problems.map((problem) => ({ field: problem.path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : `${out}.${part}`), 'body'), message: problem.message }));
  throw new AppError('input.invalid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { details: { field: errors[0]!.field, errors } });
}

export async function createSchedule(deps: ScheduleAdminDeps, tenantId: string, input: ScheduleInput): Promise<ScheduleView> {
  const content: ScheduleContent = { name: input.name, timeZone: input.timeZone, weekly: input.weekly, overrides: input.overrides ?? [] };
  assertValid(content);
  const now = deps.clock.now();
  const schedule: Schedule = { tenantId, id: newId('sch', now.getTime()), ...sorted(content), createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1 };
  await deps.schedules.create(schedule);
  return toScheduleView(schedule);
}

export async function getSchedule(deps: Pick<ScheduleAdminDeps, 'schedules'>, tenantId: string, scheduleId: string): Promise<ScheduleView> {
  const schedule = await deps.schedules.get(tenantId, scheduleId);
  if (!schedule) throw notFound('Schedule');
  return toScheduleView(schedule);
}

export async function listSchedules(
  deps: Pick<ScheduleAdminDeps, 'schedules'>,
  input: { tenantId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: ScheduleView[]; nextCursor: string | null }> {
  const page = await deps.schedules.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toScheduleView), nextCursor: page.cursor };
}

/** Replaces the fields sent; conditional on the version read, so a concurrent edit answers 409 instead of being lost. */
export async function updateSchedule(deps: ScheduleAdminDeps, tenantId: string, scheduleId: string, input: SchedulePatchInput): Promise<ScheduleView> {
  const current = await deps.schedules.get(tenantId, scheduleId);
  if (!current) throw notFound('Schedule');
  assertValid(input);
  const patch: SchedulePatch = { updatedAt: deps.clock.now().toISOString() };
  if (input.name !== undefined) patch.name = input.name;
  if (input.timeZone !== undefined) patch.timeZone = input.timeZone;
  if (input.weekly !== undefined) patch.weekly = sorted({ ...current, weekly: input.weekly }).weekly;
  if (input.overrides !== undefined) patch.overrides = sorted({ ...current, overrides: input.overrides }).overrides;
  return toScheduleView(await deps.schedules.update(tenantId, scheduleId, current.version, patch));
}

export async function deleteSchedule(deps: Pick<ScheduleAdminDeps, 'schedules'>, tenantId: string, scheduleId: string): Promise<void> {
  if (!(await deps.schedules.delete(tenantId, scheduleId))) throw notFound('Schedule');
}

const DAY_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Stored in reading order (Monday first, by start; overrides by date), whatever order they were sent in. */
function sorted<T extends Pick<ScheduleContent, 'weekly' | 'overrides'>>(content: T): T {
  return {
    ...content,
    weekly: [...content.weekly].sort((a, b) => DAY_ORDER.indexOf(a.day) - DAY_ORDER.indexOf(b.day) || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)),
    overrides: [...content.overrides]
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
      .map((override) => ({ date: override.date, ranges: [...override.ranges].sort((a, b) => (a.start < b.start ? -1 : 1)).map((r) => ({ start: r.start, end: r.end })) })),
  };
}
