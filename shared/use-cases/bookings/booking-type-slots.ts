import { AppError, notFound } from '../../domain/app-error.ts';
import { DEFAULT_HORIZON_DAYS, type BookingType } from '../../domain/booking-type.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { BookingTypeStore } from '../../ports/booking-type-store.ts';
import { findAvailability, type AvailabilityDeps, type AvailabilityParticipant, type AvailabilityQuery } from '../availability/find-availability.ts';
import { limitLedgerFor, slotsWithinLimits } from './booking-limits.ts';

export interface BookingTypeSlotsDeps extends AvailabilityDeps {
  bookingTypes: Pick<BookingTypeStore, 'get'>;
  /** Confirmed bookings of the type: daily/weekly limits hide the slots of full days and weeks. */
  bookings: Pick<BookingStore, 'list'>;
}

const DAY_MS = 86_400_000;
export const MAX_SLOT_RESULTS = 2000;

/**
 * The booking type as an availability query, so slots here and the re-check at booking time use the one
 * slot search: collective = every host free; round-robin = one host of the pool (a group needing 1); rooms
 * = a group needing 1 free room. Indexes into `participants` follow `hosts`, then the rooms group.
 */
export function availabilityQueryOf(bookingType: BookingType, tenantId: string, range: { start: string; end: string; timeZone?: string | undefined }): AvailabilityQuery {
  const participants: AvailabilityParticipant[] =
    bookingType.assignment === 'collective'
      ? bookingType.hosts.map((host) => ({ calendarIds: host.calendarIds, scheduleId: host.scheduleId }))
      : [{ group: bookingType.hosts.map((host) => ({ calendarIds: host.calendarIds, scheduleId: host.scheduleId })), required: 1 }];
  if (bookingType.rooms && bookingType.rooms.length > 0) participants.push({ group: bookingType.rooms.map((room) => ({ calendarIds: [room.calendarId] })), required: 1 });
  return {
    tenantId,
    participants,
    mode: 'collective',
    start: range.start,
    end: range.end,
    durationMinutes: bookingType.durationMinutes,
    intervalMinutes: bookingType.slotIntervalMinutes ?? bookingType.durationMinutes,
    bufferBeforeMinutes: bookingType.bufferBeforeMinutes,
    bufferAfterMinutes: bookingType.bufferAfterMinutes,
    minimumNoticeMinutes: bookingType.minimumNoticeMinutes,
    maxResults: MAX_SLOT_RESULTS,
    timeZone: range.timeZone,
  };
}

/**
 * GET /v1/booking-types/{id}/slots: free slots between now (+ notice) and the horizon, within the range asked,
 * without those on a day or in a week the type's limits have filled (booking applies the same ledger).
 */
export async function bookingTypeSlots(
  deps: BookingTypeSlotsDeps,
  input: { tenantId: string; bookingTypeId: string; start: string; end: string; timeZone?: string | undefined },
): Promise<{ slots: { start: string; end: string }[]; timeZone: string }> {
  const bookingType = await deps.bookingTypes.get(input.tenantId, input.bookingTypeId);
  if (!bookingType) throw notFound('Booking type');
  const startMs = Date.parse(input.start);
  const endMs = Date.parse(input.end);
  if (!(endMs > startMs)) throw new AppError('input.invalid', 'query.end: after start', { details: { field: 'query.end' } });
  const nowMs = deps.clock.now().getTime();
  const horizonEndMs = nowMs + (bookingType.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY_MS;
  const clippedEnd = Math.min(endMs, horizonEndMs);
  const clippedStart = Math.max(startMs, nowMs);
  if (clippedEnd <= clippedStart) return { slots: [], timeZone: input.timeZone ?? 'UTC' };
  const [result, ledger] = await Promise.all([
    findAvailability(deps, availabilityQueryOf(bookingType, input.tenantId, { start: new Date(clippedStart).toISOString(), end: new Date(clippedEnd).toISOString(), timeZone: input.timeZone })),
    limitLedgerFor(deps, input.tenantId, bookingType, clippedStart, clippedEnd),
  ]);
  // Participants and calendars are host data: the slot list alone is the answer (public pages reuse it).
  return { slots: slotsWithinLimits(ledger, bookingType, result.slots).map((slot) => ({ start: slot.start, end: slot.end })), timeZone: result.timeZone };
}
