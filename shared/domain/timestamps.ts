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

/**
 * An instant as the normalized model writes it: UTC with `Z`, milliseconds only when there are any
 * (`2026-11-24T09:00:00Z`), the way the providers' events are stored, so expanded occurrences and stored
 * events print alike.
 */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
