import { freeBusyRoute, listCalendarsRoute, listEventsRoute, toEventItem, updateCalendarRoute } from '../../shared/api/calendars.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { freeBusyDeps, listCalendarsDeps, listEventsDeps, updateCalendarDeps } from '../../shared/runtime/deps/read-side.ts';
import { freeBusy } from '../../shared/use-cases/free-busy.ts';
import { listCalendars } from '../../shared/use-cases/list-calendars.ts';
import { listEvents } from '../../shared/use-cases/list-events.ts';
import { updateCalendar } from '../../shared/use-cases/update-calendar.ts';

const rangeOf = (query: { start: string; end: string }) => ({ start: new Date(query.start), end: new Date(query.end) });

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(listCalendarsRoute, async ({ tenantId, params }) => ({
      status: 200,
      body: { items: await listCalendars(listCalendarsDeps(), tenantId, params.id) },
    })),
    bindRoute(updateCalendarRoute, async ({ tenantId, params, body }) => ({
      status: 200,
      body: await updateCalendar(updateCalendarDeps(), tenantId, params.id, body),
    })),
    bindRoute(listEventsRoute, async ({ tenantId, params, query }) => ({
      status: 200,
      body: await listEvents(listEventsDeps(), { tenantId, calendarId: params.id, range: rangeOf(query), cursor: query.cursor, limit: query.limit, expand: query.expand }).then((page) => ({ ...page, items: page.items.map(toEventItem) })),
    })),
    bindRoute(freeBusyRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await freeBusy(freeBusyDeps(), { tenantId, calendarIds: query.calendarIds, range: rangeOf(query), timeZone: query.timeZone }),
    })),
  ],
});
