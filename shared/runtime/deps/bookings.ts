import type { BookingConferencing } from '../../ports/booking-conferencing.ts';
import { DynamoBookingClaimStore } from '../../storage/dynamo-booking-claim-store.ts';
import { DynamoBookingStore } from '../../storage/dynamo-booking-store.ts';
import { DynamoBookingTypeStore } from '../../storage/dynamo-booking-type-store.ts';
import type { BookingDeps } from '../../use-cases/bookings/booking-rules.ts';
import { logger } from '../logger.ts';
import { eventWriteDeps } from './event-writes.ts';
import { eventPublisher } from './messaging.ts';
import type { BookingTypeSlotsDeps } from '../../use-cases/bookings/booking-type-slots.ts';
import type { BookingTypeAdminDeps } from '../../use-cases/bookings/manage-booking-types.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { availabilityDeps } from './availability.ts';
import { dynamoDocument } from './storage.ts';
import { bookingConferencing as zoomBookingConferencing } from './video.ts';
import { integrationLogStore } from './integration-log.ts';

/** Dependencies of api-bookings. */
export const bookingTypeStore = lazy(() => new DynamoBookingTypeStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export function bookingTypeAdminDeps(): BookingTypeAdminDeps {
  const { calendars, schedules } = availabilityDeps();
  return { bookingTypes: bookingTypeStore(), clock: clock(), references: { calendars, schedules } };
}

export function bookingTypeSlotsDeps(): BookingTypeSlotsDeps {
  return { ...availabilityDeps(), bookingTypes: bookingTypeStore(), bookings: bookingStore() };
}

export const bookingStore = lazy(() => new DynamoBookingStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));
export const bookingClaimStore = lazy(() => new DynamoBookingClaimStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

/** The video seam for meetings outside the calendar provider: Zoom (deps/video.ts) unless a test sets another. */
export const bookingConferencing: { current?: BookingConferencing } = {};

export function bookingDeps(): BookingDeps {
  const writes = eventWriteDeps();
  return {
    ...availabilityDeps(),
    // Live re-checks read the providers with the write path's credentials-holding stores.
    providers: writes.providers,
    connections: writes.connections,
    bookingTypes: bookingTypeStore(),
    bookings: bookingStore(),
    claims: bookingClaimStore(),
    writes,
    publisher: eventPublisher(),
    conferencing: bookingConferencing.current ?? zoomBookingConferencing(),
    log: logger,
    integrationLog: integrationLogStore(),
  };
}
