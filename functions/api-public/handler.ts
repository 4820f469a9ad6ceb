import { cancelPublicBookingRoute, createPublicBookingRoute, getPublicBookingRoute, getPublicBookingTypeRoute, listPublicSlotsRoute, reschedulePublicBookingRoute } from '../../shared/api/public.ts';
import { publicBookingDeps } from '../../shared/runtime/deps/public-booking.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute, type RouteBinding } from '../../shared/runtime/http/route.ts';
import {
  cancelPublicBooking,
  createPublicBooking,
  getPublicBooking,
  getPublicBookingType,
  publicBookingTypeSlots,
  publicFacingError,
  reschedulePublicBooking,
} from '../../shared/use-cases/public/public-booking.ts';
import { checkIdempotencyKey } from '../../shared/use-cases/events/idempotent-request.ts';

/** Public booking pages (no JWT): every error told without the tenant side's internals. */
function publicRoute(binding: RouteBinding): RouteBinding {
  return {
    contract: binding.contract,
    handle: async (request) => {
      try {
        return await binding.handle(request);
      } catch (error) {
        throw publicFacingError(error);
      }
    },
  };
}

export const handler = createApiHandler({
  routes: [
    bindRoute(getPublicBookingTypeRoute, async ({ params, sourceIp }) => ({ status: 200, body: await getPublicBookingType(publicBookingDeps(), { publicId: params.publicId, clientIp: sourceIp }) })),
    bindRoute(listPublicSlotsRoute, async ({ params, query, sourceIp }) => ({
      status: 200,
      body: await publicBookingTypeSlots(publicBookingDeps(), { publicId: params.publicId, clientIp: sourceIp, start: query.start, end: query.end, timeZone: query.timeZone }),
    })),
    bindRoute(createPublicBookingRoute, async ({ params, body, headers, sourceIp }) => ({
      status: 201,
      body: await createPublicBooking(publicBookingDeps(), { publicId: params.publicId, clientIp: sourceIp, start: body.start, invitee: body.invitee, notes: body.notes, key: checkIdempotencyKey(headers['idempotency-key']) }),
    })),
    bindRoute(getPublicBookingRoute, async ({ params, query, sourceIp }) => ({ status: 200, body: await getPublicBooking(publicBookingDeps(), { bookingId: params.id, token: query.token, clientIp: sourceIp }) })),
    bindRoute(reschedulePublicBookingRoute, async ({ params, query, body, sourceIp }) => ({
      status: 200,
      body: await reschedulePublicBooking(publicBookingDeps(), { bookingId: params.id, token: query.token, clientIp: sourceIp, start: body.start }),
    })),
    bindRoute(cancelPublicBookingRoute, async ({ params, query, body, sourceIp }) => ({
      status: 200,
      body: await cancelPublicBooking(publicBookingDeps(), { bookingId: params.id, token: query.token, clientIp: sourceIp, reason: body.reason }),
    })),
  ].map(publicRoute),
});
