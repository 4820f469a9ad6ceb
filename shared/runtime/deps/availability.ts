import { DynamoScheduleStore } from '../../storage/dynamo-schedule-store.ts';
import type { AvailabilityDeps } from '../../use-cases/availability/find-availability.ts';
import type { ConflictDeps } from '../../use-cases/availability/check-conflicts.ts';
import type { ScheduleAdminDeps } from '../../use-cases/availability/manage-schedules.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { freeBusyDeps } from './read-side.ts';
import { dynamoDocument } from './storage.ts';

/**
 * Dependencies of api-availability. Busy time is read exactly as free/busy reads it (`freeBusyDeps`), so
 * whatever free/busy learns (live provider reads outside the mirrored window) availability learns too.
 */
export const scheduleStore = lazy(() => new DynamoScheduleStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export function scheduleAdminDeps(): ScheduleAdminDeps {
  return { schedules: scheduleStore(), clock: clock() };
}

export function availabilityDeps(): AvailabilityDeps {
  return { ...freeBusyDeps(), schedules: scheduleStore(), clock: clock() };
}

export function conflictDeps(): ConflictDeps {
  return { ...freeBusyDeps(), schedules: scheduleStore(), clock: clock() };
}
