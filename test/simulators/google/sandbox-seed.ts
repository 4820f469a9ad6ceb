import type { GoogleSimulator } from './google-simulator.ts';
import type { SimUser } from './types.ts';
import { formatDate } from './zone-time.ts';

/**
 * Sample data for sandbox mode (`npm start` without Google credentials): one user whose primary calendar
 * holds a meeting, an all-day event, a free (transparent) block and a weekly series with one moved and one
 * cancelled instance, all near `now` so a fresh sync window sees them.
 */
export interface SandboxSeed {
  user: SimUser;
  calendarId: string;
  eventIds: { meeting: string; allDay: string; focusTime: string; standup: string };
}

export function seedSandbox(simulator: GoogleSimulator, options: { email?: string; name?: string; timeZone?: string; now?: Date } = {}): SandboxSeed {
  const email = (options.email ?? 'sandbox.user@example.com').toLowerCase();
  // The auto-consent user already exists (created at start); then its own zone applies.
  const user = simulator.user(email) ?? simulator.createUser({ email, name: options.name ?? 'Sandbox User', timeZone: options.timeZone ?? 'UTC' });
  const timeZone = user.timeZone;
  const calendarId = user.primaryCalendarId;
  const today = Math.floor((options.now ?? new Date()).getTime() / 86_400_000);
  const at = (dayOffset: number, hour: number): string => `${formatDate(today + dayOffset)}T${String(hour).padStart(2, '0')}:00:00`;

  const meeting = simulator.insertEvent(calendarId, {
    summary: 'Project kickoff',
    location: 'Room 4',
    start: { dateTime: at(1, 10), timeZone },
    end: { dateTime: at(1, 11), timeZone },
    attendees: [{ email }, { email: 'colleague@example.com' }],
  });
  const allDay = simulator.insertEvent(calendarId, {
    summary: 'Team offsite',
    start: { date: formatDate(today + 3) },
    end: { date: formatDate(today + 5) },
  });
  const focusTime = simulator.insertEvent(calendarId, {
    summary: 'Focus time',
    transparency: 'transparent',
    start: { dateTime: at(2, 14), timeZone },
    end: { dateTime: at(2, 16), timeZone },
  });
  const standup = simulator.createRecurringEvent(calendarId, {
    summary: 'Stand-up',
    start: { dateTime: at(0, 9), timeZone },
    end: { dateTime: at(0, 9).replace('T09:00', 'T09:15'), timeZone },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
  });
  // The second stand-up moves an hour later; the third is cancelled (both become exceptions).
  const first = Date.parse(standup.start?.dateTime ?? '');
  const [, second, third] = simulator
    .expandedTruth(calendarId, { timeMin: new Date(first), timeMax: new Date(first + 21 * 86_400_000) })
    .filter((event) => event.recurringEventId === standup.id);
  if (second?.start?.dateTime) {
    const moved = Date.parse(second.start.dateTime) + 3_600_000;
    simulator.editInstance(calendarId, standup.id, second.id, {
      summary: 'Stand-up (moved)',
      start: { dateTime: new Date(moved).toISOString(), timeZone },
      end: { dateTime: new Date(moved + 900_000).toISOString(), timeZone },
    });
  }
  if (third) simulator.cancelInstance(calendarId, standup.id, third.id);
  return { user, calendarId, eventIds: { meeting: meeting.id, allDay: allDay.id, focusTime: focusTime.id, standup: standup.id } };
}
