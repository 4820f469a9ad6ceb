import type { Schedule, ScheduleContent } from '../domain/schedule.ts';
import type { Page, PageRequest } from './page.ts';

export type SchedulePatch = Partial<ScheduleContent> & { updatedAt: string };

/**
 * Working-hours schedules, tenant-scoped: an id of another tenant is simply not found.
 *
 * @example
 *   const schedule = await schedules.get(tenantId, scheduleId);
 */
export interface ScheduleStore {
  create(schedule: Schedule): Promise<void>;
  get(tenantId: string, scheduleId: string): Promise<Schedule | null>;
  /** Several at once (an availability query names a few); missing ones are absent from the map. */
  getMany(tenantId: string, scheduleIds: readonly string[]): Promise<Map<string, Schedule>>;
  /** In id order (ids sort by creation time). */
  list(tenantId: string, page: PageRequest): Promise<Page<Schedule>>;
  /** Conditional on `expectedVersion`; throws `storage.conflict` when someone else wrote first, `resource.not_found` when gone. */
  update(tenantId: string, scheduleId: string, expectedVersion: number, patch: SchedulePatch): Promise<Schedule>;
  /** False when there was nothing to delete. */
  delete(tenantId: string, scheduleId: string): Promise<boolean>;
}
