import type { CalendarEvent } from './calendar-event.ts';
import { blocksTime } from './event-time.ts';

/**
 * Whether an event makes its calendar's owner busy: it blocks time (not cancelled, not transparent) and the
 * owner has not declined it. The same rule as busy time (use-cases/availability/busy-time.ts), for callers
 * that need the events themselves (conflicts list them by title).
 */
export function makesOwnerBusy(event: Pick<CalendarEvent, 'status' | 'transparency' | 'attendees'>): boolean {
  if (!blocksTime(event)) return false;
  const attendees = event.attendees;
  for (let i = 0; i < attendees.length; i++) if (attendees[i]!.self && attendees[i]!.responseStatus === 'declined') return false;
  return true;
}
