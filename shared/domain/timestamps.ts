import * as z from 'zod/mini';

/** RFC 3339 instant; we always write UTC with `Z`, but accept offsets on input. */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

/** `yyyy-mm-dd` calendar date (all-day events, end exclusive). */
export const CalendarDate = z.iso.date();
export type CalendarDate = z.infer<typeof CalendarDate>;

export function toInstant(date: Date): string {
  return date.toISOString();
}
