import { bookingTypeSlotsRoute, createBookingTypeRoute, deleteBookingTypeRoute, getBookingTypeRoute, listBookingTypesRoute, updateBookingTypeRoute } from '../../shared/api/booking-types.ts';
import { tokenVerifier } from '../../shared/runtime/deps/auth.ts';
import { bookingTypeAdminDeps, bookingTypeSlotsDeps } from '../../shared/runtime/deps/bookings.ts';
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
  ],
});
