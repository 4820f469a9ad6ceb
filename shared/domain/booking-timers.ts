import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Reminder } from './booking-type.ts';
import type { Booking } from './booking.ts';
import { stableId } from './ids.ts';

/**
 * The timers of a booking (issue 14 item 3, issue 12 item 3): per confirmed occurrence, one per reminder
 * offset (`minutesBefore` before its start) and one at its end (booking.completed). Each has a fixed name
 * per booking, occurrence index and slot — so a reschedule moves the same timer instead of making another,
 * and cancelling deletes names the booking itself lists — and an event key that also holds the
 * occurrence's time: the dedupe key of what it sends, so a moved reminder is a new reminder (sent once for
 * its new time) while a repeat fire of the same one sends nothing.
 */
export type BookingTimerKind = 'reminder' | 'completed';

/** What a timer carries to the timer function (its input in EventBridge Scheduler): only where to look. */
export const BookingTimerPayload = z.object({
  tenantId: z.string(),
  bookingId: z.string(),
  kind: z.enum(['reminder', 'completed']),
  occurrence: z.int().check(z.nonnegative()),
  /** Index into the booking's reminders (kind reminder). */
  reminder: z.optional(z.int().check(z.nonnegative())),
});
export type BookingTimerPayload = z.infer<typeof BookingTimerPayload>;

export interface BookingTimer {
  /** The timer's (schedule's) name. */
  name: string;
  atMs: number;
  payload: BookingTimerPayload;
  /** Dedupe key of the send: `reminderId` for reminders (rmd_…), a completion id for the end. */
  eventKey: string;
  occurrence: { index: number; start: string; end: string };
  reminder?: Reminder;
}

type TimerSource = Pick<Booking, 'tenantId' | 'id' | 'status' | 'start' | 'end' | 'occurrences' | 'reminders'>;

const SAFE_BOOKING_ID = /^[0-9a-zA-Z_]{1,40}$/;

/**
 * `<bookingId>.<tenant hash>.o<occurrence>.r<reminder>` or `….end` (≤ 64 characters, Scheduler's name
 * alphabet): readable in the console, unique across tenants even if two chose the same booking id.
 */
export function timerName(tenantId: string, bookingId: string, occurrence: number, slot: number | 'end'): string {
  const tenantHash = createHash('sha256').update(tenantId).digest('hex').slice(0, 8);
  const booking = SAFE_BOOKING_ID.test(bookingId) ? bookingId : createHash('sha256').update(bookingId).digest('hex').slice(0, 32);
  return `${booking}.${tenantHash}.o${occurrence}.${slot === 'end' ? 'end' : `r${slot}`}`;
}

export function timerNameOf(payload: BookingTimerPayload): string {
  return timerName(payload.tenantId, payload.bookingId, payload.occurrence, payload.kind === 'completed' ? 'end' : (payload.reminder ?? 0));
}

/** One per booking, occurrence start, reminder offset (and its place in the list, two reminders may share an offset). */
export function reminderIdOf(tenantId: string, bookingId: string, occurrenceStart: string, minutesBefore: number, index: number): string {
  return stableId('rmd', tenantId, bookingId, String(Date.parse(occurrenceStart)), String(minutesBefore), String(index));
}

function completionKeyOf(tenantId: string, bookingId: string, occurrenceEnd: string): string {
  return stableId('rmd', tenantId, bookingId, 'completed', String(Date.parse(occurrenceEnd)));
}

function occurrencesOf(booking: TimerSource): { start: string; end: string; status: Booking['status'] }[] {
  return booking.occurrences ?? [{ start: booking.start, end: booking.end, status: booking.status }];
}

/** Every timer the booking wants now, whatever the time: none for a cancelled booking or occurrence. */
export function bookingTimers(booking: TimerSource): BookingTimer[] {
  if (booking.status === 'cancelled') return [];
  const timers: BookingTimer[] = [];
  occurrencesOf(booking).forEach((occurrence, index) => {
    if (occurrence.status === 'cancelled') return;
    const where = { index, start: occurrence.start, end: occurrence.end };
    booking.reminders.forEach((reminder, slot) => {
      timers.push({
        name: timerName(booking.tenantId, booking.id, index, slot),
        atMs: Date.parse(occurrence.start) - reminder.minutesBefore * 60_000,
        payload: { tenantId: booking.tenantId, bookingId: booking.id, kind: 'reminder', occurrence: index, reminder: slot },
        eventKey: reminderIdOf(booking.tenantId, booking.id, occurrence.start, reminder.minutesBefore, slot),
        occurrence: where,
        reminder,
      });
    });
    timers.push({
      name: timerName(booking.tenantId, booking.id, index, 'end'),
      atMs: Date.parse(occurrence.end),
      payload: { tenantId: booking.tenantId, bookingId: booking.id, kind: 'completed', occurrence: index },
      eventKey: completionKeyOf(booking.tenantId, booking.id, occurrence.end),
      occurrence: where,
    });
  });
  return timers;
}

/** Every name a timer of this booking can have (what a cancel deletes). */
export function bookingTimerNames(booking: TimerSource): string[] {
  const names: string[] = [];
  for (let index = 0; index < occurrencesOf(booking).length; index++) {
    for (let slot = 0; slot < booking.reminders.length; slot++) names.push(timerName(booking.tenantId, booking.id, index, slot));
    names.push(timerName(booking.tenantId, booking.id, index, 'end'));
  }
  return names;
}
