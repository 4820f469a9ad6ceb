import { toEventItem } from '../../shared/api/calendars.ts';
import { createEventRoute, deleteEventRoute, updateEventRoute } from '../../shared/api/events.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute, type RouteResponse } from '../../shared/runtime/http/route.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { eventWriteDeps, idempotentRequests } from '../../shared/runtime/deps/event-writes.ts';
import { createCalendarEvent } from '../../shared/use-cases/events/create-event.ts';
import { deleteCalendarEvent } from '../../shared/use-cases/events/delete-event.ts';
import { runIdempotent } from '../../shared/use-cases/events/idempotent-request.ts';
import { updateCalendarEvent } from '../../shared/use-cases/events/update-event.ts';

/** Runs a write once per Idempotency-Key; a replay says so in `Idempotent-Replayed`. */
async function once(tenantId: string, headers: Record<string, string>, request: unknown, run: (key: string | undefined) => Promise<{ status: number; body?: unknown }>): Promise<RouteResponse> {
  const key = headers['idempotency-key'];
  const { response, replayed } = await runIdempotent(idempotentRequests(), { tenantId, key, request }, () => run(key));
  return { ...response, ...(replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
}

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(createEventRoute, ({ tenantId, params, body, headers }) =>
      once(tenantId, headers, ['createEvent', params, body], async (key) => ({ status: 201, body: toEventItem(await createCalendarEvent(eventWriteDeps(), { tenantId, calendarId: params.id, fields: body, key })) })),
    ),
    bindRoute(updateEventRoute, ({ tenantId, params, query, body, headers }) =>
      once(tenantId, headers, ['updateEvent', params, query, body], async (key) => ({
        status: 200,
        body: toEventItem(await updateCalendarEvent(eventWriteDeps(), { tenantId, calendarId: params.id, eventId: params.eventId, scope: query.scope, fields: body, key })),
      })),
    ),
    bindRoute(deleteEventRoute, ({ tenantId, params, query, headers }) =>
      once(tenantId, headers, ['deleteEvent', params, query], async () => {
        await deleteCalendarEvent(eventWriteDeps(), { tenantId, calendarId: params.id, eventId: params.eventId, scope: query.scope });
        return { status: 204 };
      }),
    ),
  ],
});
