import { DynamoBookingTypeStore } from '../../storage/dynamo-booking-type-store.ts';
import type { BookingTypeSlotsDeps } from '../../use-cases/bookings/booking-type-slots.ts';
import type { BookingTypeAdminDeps } from '../../use-cases/bookings/manage-booking-types.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { availabilityDeps } from './availability.ts';
import { dynamoDocument } from './storage.ts';

/** Dependencies of api-bookings. */
export const bookingTypeStore = lazy(() => new DynamoBookingTypeStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export function bookingTypeAdminDeps(): BookingTypeAdminDeps {
  return { bookingTypes: bookingTypeStore(), clock: clock() };
}

export function bookingTypeSlotsDeps(): BookingTypeSlotsDeps {
  return { ...availabilityDeps(), bookingTypes: bookingTypeStore() };
}
