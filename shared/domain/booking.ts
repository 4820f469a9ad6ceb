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

export const BookingOccurrenceView = z.object({ start: z.string(), end: z.string(), status: z.enum(BOOKING_STATUSES), originalStart: z.optional(z.string()) });

export const OCCURRENCE_SCOPES = ['instance', 'following', 'series'] as const;

export const BookingView = z.object({
  id: z.string(),
  bookingTypeId: z.string(),
  status: z.enum(BOOKING_STATUSES),
  start: z.string(),
  end: z.string(),
  hosts: z.array(BookingHostView),
  room: z.nullable(z.object({ calendarId: z.string() })),
  invitee: z.object({ name: z.string(), email: z.string(), timeZone: z.string(), phone: z.optional(z.string()), locale: z.optional(z.string()) }),
  notes: z.optional(z.string()),
  /**
   * A recurring booking's occurrences in rule order, each with its own times and status. `originalStart` is
   * where the series' rule puts it (the instance's RECURRENCE-ID at the provider, unchanged when the one
   * occurrence is moved; absent in storage = its start): the `occurrence` that reschedule and cancel name.
   */
  occurrences: z.optional(z.array(BookingOccurrenceView)),
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
  providerEvents: z.array(z.object({ calendarId: z.string(), eventId: z.string() })),
  reminders: z.array(Reminder),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BookingView = z.infer<typeof BookingView>;

export const BookingEventSource = z.enum(['api', 'calendar']);

export const BookingCreatedData = z.object({ booking: BookingView, source: BookingEventSource });
/** For a recurring booking: the occurrence (its originalStart) the change was made at, and how far it reached. */
const OccurrenceChange = { occurrence: z.optional(z.string()), scope: z.optional(z.enum(OCCURRENCE_SCOPES)) };
export const BookingRescheduledData = z.object({ booking: BookingView, source: BookingEventSource, previous: z.object({ start: z.string(), end: z.string() }), ...OccurrenceChange });
export const BookingCancelledData = z.object({ booking: BookingView, source: BookingEventSource, reason: z.optional(z.string()), ...OccurrenceChange });

/**
 * The stored booking: the view plus what only the server needs — the tenant, the version its edits are
 * conditional on, what it holds in the claim store (so cancel and reschedule free exactly that), and the
 * history of changes (API or calendar side) that lost or won.
 */
export const Booking = z.extend(BookingView, {
  /** `seriesEventId`: the stored id of the provider series holding it (absent: providerEvents[0]; a split adds series). */
  occurrences: z.optional(z.array(z.extend(BookingOccurrenceView, { seriesEventId: z.optional(z.string()) }))),
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
  pending: z.optional(z.object({ kind: z.enum(['move', 'cancel']), start: z.optional(z.string()), end: z.optional(z.string()), occurrence: z.optional(z.string()) })),
  history: z.array(z.object({ at: z.string(), source: BookingEventSource, change: z.enum(['created', 'rescheduled', 'cancelled', 'calendar_edit_lost']), start: z.string(), end: z.string(), occurrence: z.optional(z.string()) })),
});
export type Booking = z.infer<typeof Booking>;

export function toBookingView(booking: Booking): BookingView {
  const { tenantId: _tenant, version: _version, hostIndex: _host, claim: _claim, recurrence: _recurrence, cancelReason: _reason, pending: _pending, history: _history, occurrences, ...view } = booking;
  return { ...view, ...(occurrences ? { occurrences: occurrences.map(({ seriesEventId: _series, ...occurrence }) => ({ ...occurrence, originalStart: occurrence.originalStart ?? occurrence.start })) } : {}) };
}
