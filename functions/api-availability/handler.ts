import { ALTERNATIVES_HORIZON_DAYS, DEFAULT_ALTERNATIVES, DEFAULT_CONFLICT_INTERVAL_MINUTES, availabilityRoute, conflictsRoute } from '../../shared/api/availability.ts';
import { createScheduleRoute, deleteScheduleRoute, getScheduleRoute, listSchedulesRoute, updateScheduleRoute } from '../../shared/api/schedules.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { availabilityDeps, conflictDeps, scheduleAdminDeps } from '../../shared/runtime/deps/availability.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { checkConflicts } from '../../shared/use-cases/availability/check-conflicts.ts';
import { findAvailability } from '../../shared/use-cases/availability/find-availability.ts';
import { createSchedule, deleteSchedule, getSchedule, listSchedules, updateSchedule } from '../../shared/use-cases/availability/manage-schedules.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(createScheduleRoute, async ({ tenantId, body }) => ({ status: 201, body: await createSchedule(scheduleAdminDeps(), tenantId, body) })),
    bindRoute(listSchedulesRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listSchedules(scheduleAdminDeps(), { tenantId, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getScheduleRoute, async ({ tenantId, params }) => ({ status: 200, body: await getSchedule(scheduleAdminDeps(), tenantId, params.id) })),
    bindRoute(updateScheduleRoute, async ({ tenantId, params, body }) => ({ status: 200, body: await updateSchedule(scheduleAdminDeps(), tenantId, params.id, body) })),
    bindRoute(deleteScheduleRoute, async ({ tenantId, params }) => {
      await deleteSchedule(scheduleAdminDeps(), tenantId, params.id);
      return { status: 204 };
    }),
    bindRoute(availabilityRoute, async ({ tenantId, body }) => ({ status: 200, body: await findAvailability(availabilityDeps(), { tenantId, ...body }) })),
    bindRoute(conflictsRoute, async ({ tenantId, body }) => ({
      status: 200,
      body: await checkConflicts(conflictDeps(), {
        tenantId,
        ...body,
        alternatives: body.alternatives ?? DEFAULT_ALTERNATIVES,
        intervalMinutes: body.intervalMinutes ?? DEFAULT_CONFLICT_INTERVAL_MINUTES,
        horizonDays: ALTERNATIVES_HORIZON_DAYS,
      }),
    })),
  ],
});
