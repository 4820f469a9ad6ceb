import { DynamoRateLimiter } from '../../storage/dynamo-rate-limiter.ts';
import { DynamoSigningKeys } from '../../storage/dynamo-signing-keys.ts';
import type { PublicBookingDeps } from '../../use-cases/public/public-booking.ts';
import { config } from '../config.ts';
import { bookingDeps, bookingStore, bookingTypeSlotsDeps, bookingTypeStore } from './bookings.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { credentialCipher, dynamoDocument } from './storage.ts';

/** Dependencies of api-public: the bookings' own, plus the abuse limits and the manage token key. */
export const rateLimiter = lazy(() => new DynamoRateLimiter({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));
export const signingKeys = lazy(() => new DynamoSigningKeys({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

export function publicBookingDeps(): PublicBookingDeps {
  const settings = config();
  return {
    bookingTypes: bookingTypeStore(),
    bookings: bookingStore(),
    limiter: rateLimiter(),
    signingKeys: signingKeys(),
    clock: clock(),
    limits: {
      perClient: { capacity: settings.PUBLIC_CLIENT_BURST, refillPerMinute: settings.PUBLIC_CLIENT_PER_MINUTE },
      perBookingType: { capacity: settings.PUBLIC_BOOKING_TYPE_BURST, refillPerMinute: settings.PUBLIC_BOOKING_TYPE_PER_MINUTE },
    },
    slotDeps: bookingTypeSlotsDeps,
    bookingDeps,
  };
}
