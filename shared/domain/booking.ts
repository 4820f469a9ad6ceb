import * as z from 'zod/mini';
import { CONFERENCES, Reminder } from './booking-type.ts';

/**
 * The booking as GET /v1/bookings/{id} returns it, and as booking.* events carry it (data.booking). This is
 * the payload contract the notifications and video work builds on: tenant-scoped ids only, no tenant id.
 * `conference` is the booking type's choice; `joinUrl` is filled by the video seam when a meeting exists.
 */
export const BOOKING_STATUSES = ['confirmed', 'cancelled'] as const;

export const BookingHostView = z.object({
  calendarId: z.string(),
  writeCalendarId: z.string(),
  email: z.optional(z.string()),
  name: z.optional(z.string()),
});

export const BookingView = z.object({
  id: z.string(),
  bookingTypeId: z.string(),
  status: z.enum(BOOKING_STATUSES),
  start: z.string(),
  end: z.string(),
  hosts: z.array(BookingHostView),
  room: z.nullable(z.object({ calendarId: z.string() })),
  invitee: z.object({ name: z.string(), email: z.string(), timeZone: z.string(), phone: z.optional(z.string()) }),
  notes: z.optional(z.string()),
  conference: z.object({
    provider: z.enum(CONFERENCES),
    joinUrl: z.nullable(z.string()),
    /**
     * The host moved the video meeting in the provider itself (Zoom's `meeting.updated`) to a time that is
     * not the booking's: flagged here, the booking keeps its time. Cleared when the booking is rescheduled
     * (the meeting is moved back in step) or the meeting comes back to the booking's time.
     */
    movedInProvider: z.optional(z.object({ start: z.string(), end: z.nullable(z.string()), at: z.string() })),
  }),
  occurrences: z.optional(z.array(z.object({ start: z.string(), end: z.string(), status: z.enum(BOOKING_STATUSES) }))),
  providerEvents: z.array(z.object({ calendarId: z.string(), eventId: z.string() })),
  reminders: z.array(Reminder),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BookingView = z.infer<typeof BookingView>;

export const BookingEventSource = z.enum(['api', 'calendar']);

export const BookingCreatedData = z.object({ booking: BookingView, source: BookingEventSource });
export const BookingRescheduledData = z.object({ booking: BookingView, source: BookingEventSource, previous: z.object({ start: z.string(), end: z.string() }) });
export const BookingCancelledData = z.object({ booking: BookingView, source: BookingEventSource, reason: z.optional(z.string()) });

/**
 * The stored booking: the view plus what only the server needs — the tenant, the version its edits are
 * conditional on, what it holds in the claim store (so cancel and reschedule free exactly that), and the
 * history of changes (API or calendar side) that lost or won.
 */
export const Booking = z.extend(BookingView, {
  tenantId: z.string(),
  version: z.int(),
  /** The host that got it (round-robin) or the first host (collective), as an index into the type's hosts. */
  hostIndex: z.int(),
  claim: z.object({ resources: z.array(z.string()), ranges: z.array(z.object({ startMs: z.number(), endMs: z.number() })) }),
  recurrence: z.optional(z.object({ rrule: z.string() })),
  cancelReason: z.optional(z.string()),
  /**
   * A change this API is making right now (set before the provider write, cleared after): when its own
   * write comes back through sync, the calendar-side consumer recognises it instead of taking it for the
   * host's edit.
   */
  pending: z.optional(z.object({ kind: z.enum(['move', 'cancel']), start: z.optional(z.string()), end: z.optional(z.string()) })),
  history: z.array(z.object({ at: z.string(), source: BookingEventSource, change: z.enum(['created', 'rescheduled', 'cancelled', 'calendar_edit_lost']), start: z.string(), end: z.string() })),
});
export type Booking = z.infer<typeof Booking>;

export function toBookingView(booking: Booking): BookingView {
  const { tenantId: _tenant, version: _version, hostIndex: _host, claim: _claim, recurrence: _recurrence, cancelReason: _reason, pending: _pending, history: _history, ...view } = booking;
  return view;
}
