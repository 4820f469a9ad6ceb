import { notFound } from '../../domain/app-error.ts';
import { toBookingView, type BookingView } from '../../domain/booking.ts';
import { formatInstant } from '../../domain/timestamps.ts';
import type { BookingFilter, BookingStore } from '../../ports/booking-store.ts';

/** GET /v1/bookings/{id}: another tenant's booking is simply not found. */
export async function getBooking(deps: { bookings: Pick<BookingStore, 'get'> }, input: { tenantId: string; bookingId: string }): Promise<BookingView> {
  const booking = await deps.bookings.get(input.tenantId, input.bookingId);
  if (!booking) throw notFound('Booking');
  return toBookingView(booking);
}

/** GET /v1/bookings: in creation order, filtered by time (overlapping the range), status and booking type. */
export async function listBookings(
  deps: { bookings: Pick<BookingStore, 'list'> },
  input: { tenantId: string; filter: BookingFilter; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ items: BookingView[]; nextCursor: string | null }> {
  // Stored times are canonical instants; compare like with like.
  const canonical = (value: string | undefined) => (value === undefined ? undefined : formatInstant(Date.parse(value)));
  const filter = { ...input.filter, start: canonical(input.filter.start), end: canonical(input.filter.end) };
  const page = await deps.bookings.list(input.tenantId, filter, { cursor: input.cursor ?? null, limit: input.limit ?? 50 });
  return { items: page.items.map(toBookingView), nextCursor: page.cursor };
}
