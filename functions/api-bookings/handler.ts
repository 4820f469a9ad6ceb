import { bookingTypeSlotsRoute, createBookingTypeRoute, deleteBookingTypeRoute, getBookingTypeRoute, listBookingTypesRoute, updateBookingTypeRoute } from '../../shared/api/booking-types.ts';
import { cancelBookingRoute, createBookingRoute, getBookingRoute, listBookingsRoute, rescheduleBookingRoute } from '../../shared/api/bookings.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { idempotentRequests } from '../../shared/runtime/deps/event-writes.ts';
import { runIdempotent } from '../../shared/use-cases/events/idempotent-request.ts';
import { cancelBooking } from '../../shared/use-cases/bookings/cancel-booking.ts';
import { createBooking } from '../../shared/use-cases/bookings/create-booking.ts';
import { getBooking, listBookings } from '../../shared/use-cases/bookings/get-booking.ts';
import { rescheduleBooking } from '../../shared/use-cases/bookings/reschedule-booking.ts';
import { bookingDeps, bookingTypeAdminDeps, bookingTypeSlotsDeps } from '../../shared/runtime/deps/bookings.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';
import { bookingTypeSlots } from '../../shared/use-cases/bookings/booking-type-slots.ts';
import { createBookingType, deleteBookingType, getBookingType, listBookingTypes, updateBookingType } from '../../shared/use-cases/bookings/manage-booking-types.ts';

export const handler = createApiHandler({
  verifier: tokenVerifier,
  routes: [
    bindRoute(createBookingTypeRoute, async ({ tenantId, body }) => ({ status: 201, body: await createBookingType(bookingTypeAdminDeps(), tenantId, body) })),
    bindRoute(listBookingTypesRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listBookingTypes(bookingTypeAdminDeps(), { tenantId, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getBookingTypeRoute, async ({ tenantId, params }) => ({ status: 200, body: await getBookingType(bookingTypeAdminDeps(), tenantId, params.id) })),
    bindRoute(updateBookingTypeRoute, async ({ tenantId, params, body }) => ({
      status: 200,
      body: await updateBookingType(bookingTypeAdminDeps(), tenantId, params.id, body),
    })),
    bindRoute(deleteBookingTypeRoute, async ({ tenantId, params }) => {
      await deleteBookingType(bookingTypeAdminDeps(), tenantId, params.id);
      return { status: 204 };
    }),
    bindRoute(bookingTypeSlotsRoute, async ({ tenantId, params, query }) => ({
      status: 200,
      body: await bookingTypeSlots(bookingTypeSlotsDeps(), { tenantId, bookingTypeId: params.id, start: query.start, end: query.end, timeZone: query.timeZone }),
    })),
    bindRoute(createBookingRoute, async ({ tenantId, body, headers }) => {
      const key = headers['idempotency-key'];
      // The key names the booking too: a repeat after a crash converges on the same booking and event.
      const { response, replayed } = await runIdempotent(idempotentRequests(), { tenantId, key, request: ['createBooking', body] }, async () => ({
        status: 201,
        body: (await createBooking(bookingDeps(), { tenantId, ...body, key })).booking,
      }));
      return { ...response, ...(replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
    }),
    bindRoute(listBookingsRoute, async ({ tenantId, query }) => ({
      status: 200,
      body: await listBookings(bookingDeps(), { tenantId, filter: { start: query.start, end: query.end, status: query.status, bookingTypeId: query.bookingTypeId }, cursor: query.cursor, limit: query.limit }),
    })),
    bindRoute(getBookingRoute, async ({ tenantId, params }) => ({ status: 200, body: await getBooking(bookingDeps(), { tenantId, bookingId: params.id }) })),
    bindRoute(rescheduleBookingRoute, async ({ tenantId, params, body }) => ({ status: 200, body: await rescheduleBooking(bookingDeps(), { tenantId, bookingId: params.id, start: body.start, occurrence: body.occurrence, scope: body.scope }) })),
    bindRoute(cancelBookingRoute, async ({ tenantId, params, body }) => ({ status: 200, body: await cancelBooking(bookingDeps(), { tenantId, bookingId: params.id, reason: body.reason, occurrence: body.occurrence, scope: body.scope }) })),
  ],
});
