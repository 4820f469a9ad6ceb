import type { BookingAttempt } from '../domain/booking-attempt.ts';
import type { Booking } from '../domain/booking.ts';
import type { Page, PageRequest } from './page.ts';

export interface BookingFilter {
  /** Bookings ending after `start` and starting before `end` (ISO instants). */
  start?: string | undefined;
  end?: string | undefined;
  status?: Booking['status'] | undefined;
  bookingTypeId?: string | undefined;
}

/** Bookings, tenant-scoped: an id of another tenant is simply not found. */
export interface BookingStore {
  /** False when a booking with this id exists already (a repeat of the same request). */
  create(booking: Booking): Promise<boolean>;
  get(tenantId: string, bookingId: string): Promise<Booking | null>;
  /** In id (creation) order, filtered. */
  list(tenantId: string, filter: BookingFilter, page: PageRequest): Promise<Page<Booking>>;
  /** The whole booking, conditional on `expectedVersion` (`storage.conflict` when someone wrote first). */
  replace(booking: Booking, expectedVersion: number): Promise<Booking>;
  /** Remembers that a stored calendar event is this booking's provider event (two-way: calendar edits find it). */
  linkEvent(tenantId: string, eventId: string, bookingId: string): Promise<void>;
  bookingIdOfEvent(tenantId: string, eventId: string): Promise<string | null>;
  /** Confirmed bookings of a booking type per host index since `sinceIso`, and when each was last booked (round-robin). */
  hostStats(tenantId: string, bookingTypeId: string, sinceIso: string): Promise<Map<number, { count: number; lastBookedAtMs: number }>>;
  /** Records an attempt (its request and choice) before it claims; the last write of a booking id wins. */
  saveAttempt(attempt: BookingAttempt): Promise<void>;
  getAttempt(tenantId: string, bookingId: string): Promise<BookingAttempt | null>;
}
