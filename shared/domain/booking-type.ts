import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/**
 * What an invitee can book (scheduling.md §1–2): a duration on a slot grid, buffers, notice and horizon,
 * per-host limits, hosts assigned collectively or round-robin, optionally one of several rooms, the
 * conference kind and reminders. Conference and reminders are carried onto each booking untouched: video
 * and notifications are built on them elsewhere.
 */
export const ASSIGNMENTS = ['collective', 'round_robin'] as const;
export const CONFERENCES = ['google_meet', 'microsoft_teams', 'zoom', 'none'] as const;
export const REMINDER_CHANNELS = ['email', 'sms', 'slack', 'whatsapp'] as const;
export const REMINDER_AUDIENCES = ['invitee', 'hosts', 'all'] as const;

/** Bounds that keep a claim (hosts × rooms × occurrences × granules) inside one transaction and a slot search cheap. */
export const MAX_HOSTS = 20;
export const MAX_ROOMS = 20;
export const MAX_CALENDARS_PER_HOST = 10;
export const MAX_REMINDERS = 10;
export const MAX_DURATION_MINUTES = 24 * 60;
export const MAX_HORIZON_DAYS = 730;
export const MAX_OCCURRENCES = 52;
export const DEFAULT_HORIZON_DAYS = 60;

export const BookingTypeHost = z.object({
  calendarIds: z.array(z.string()),
  scheduleId: z.string(),
  writeCalendarId: z.string(),
  weight: z.optional(z.number()),
  priority: z.optional(z.int()),
  video: z.optional(z.object({ connectionId: z.string(), userId: z.optional(z.string()) })),
});
export type BookingTypeHost = z.infer<typeof BookingTypeHost>;

export const Reminder = z.object({
  minutesBefore: z.int(),
  channels: z.array(z.enum(REMINDER_CHANNELS)),
  to: z.enum(REMINDER_AUDIENCES),
});
export type Reminder = z.infer<typeof Reminder>;

export const BookingTypeContent = z.object({
  name: z.string(),
  description: z.optional(z.string()),
  durationMinutes: z.int(),
  slotIntervalMinutes: z.optional(z.int()),
  bufferBeforeMinutes: z.optional(z.int()),
  bufferAfterMinutes: z.optional(z.int()),
  minimumNoticeMinutes: z.optional(z.int()),
  horizonDays: z.optional(z.int()),
  dailyLimit: z.optional(z.int()),
  weeklyLimit: z.optional(z.int()),
  assignment: z.enum(ASSIGNMENTS),
  hosts: z.array(BookingTypeHost),
  rooms: z.optional(z.array(z.object({ calendarId: z.string() }))),
  conference: z.optional(z.enum(CONFERENCES)),
  reminders: z.optional(z.array(Reminder)),
  recurrence: z.optional(z.object({ allowed: z.boolean(), maxOccurrences: z.int() })),
  public: z.optional(z.boolean()),
});
export type BookingTypeContent = z.infer<typeof BookingTypeContent>;

export const BookingType = z.extend(BookingTypeContent, {
  tenantId: TenantId,
  id: z.string(),
  /** Unguessable id of the public booking page; only when `public` is true. */
  publicId: z.optional(z.string()),
  createdAt: Instant,
  updatedAt: Instant,
  version: z.int().check(z.gte(1)),
});
export type BookingType = z.infer<typeof BookingType>;

export interface BookingTypeProblem {
  path: (string | number)[];
  message: string;
}

/** The rules that a schema alone cannot say; each problem names its field below the booking type. */
export function bookingTypeProblems(content: Partial<BookingTypeContent>): BookingTypeProblem[] {
  const problems: BookingTypeProblem[] = [];
  const duration = content.durationMinutes;
  if (duration !== undefined && (duration < 5 || duration > MAX_DURATION_MINUTES || duration % 5 !== 0)) {
    problems.push({ path: ['durationMinutes'], message: `a multiple of 5 minutes from 5 to ${MAX_DURATION_MINUTES}` });
  }
  const interval = content.slotIntervalMinutes;
  if (interval !== undefined && (interval < 5 || interval > MAX_DURATION_MINUTES || interval % 5 !== 0)) {
    problems.push({ path: ['slotIntervalMinutes'], message: `a multiple of 5 minutes from 5 to ${MAX_DURATION_MINUTES}` });
  }
  for (const field of ['bufferBeforeMinutes', 'bufferAfterMinutes'] as const) {
    const value = content[field];
    if (value !== undefined && (value < 0 || value > 240)) problems.push({ path: [field], message: 'from 0 to 240 minutes' });
  }
  if (content.minimumNoticeMinutes !== undefined && (content.minimumNoticeMinutes < 0 || content.minimumNoticeMinutes > 30 * 1440)) {
    problems.push({ path: ['minimumNoticeMinutes'], message: 'from 0 to 43200 minutes (30 days)' });
  }
  if (content.horizonDays !== undefined && (content.horizonDays < 1 || content.horizonDays > MAX_HORIZON_DAYS)) {
    problems.push({ path: ['horizonDays'], message: `from 1 to ${MAX_HORIZON_DAYS} days` });
  }
  for (const field of ['dailyLimit', 'weeklyLimit'] as const) {
    const value = content[field];
    if (value !== undefined && (value < 1 || value > 1000)) problems.push({ path: [field], message: 'from 1 to 1000 bookings per host' });
  }
  if (content.dailyLimit !== undefined && content.weeklyLimit !== undefined && content.weeklyLimit < content.dailyLimit) {
    problems.push({ path: ['weeklyLimit'], message: 'at least dailyLimit' });
  }
  if (content.hosts !== undefined) {
    if (content.hosts.length < 1 || content.hosts.length > MAX_HOSTS) problems.push({ path: ['hosts'], message: `1 to ${MAX_HOSTS} hosts` });
    const writeCalendars = new Set<string>();
    content.hosts.forEach((host, index) => {
      if (host.calendarIds.length < 1 || host.calendarIds.length > MAX_CALENDARS_PER_HOST) {
        problems.push({ path: ['hosts', index, 'calendarIds'], message: `1 to ${MAX_CALENDARS_PER_HOST} calendar ids` });
      }
      if (!host.calendarIds.includes(host.writeCalendarId)) {
        // Its busy time must count, or a booking could land on top of the host's own events there.
        problems.push({ path: ['hosts', index, 'writeCalendarId'], message: 'one of the host\'s calendarIds' });
      }
      if (writeCalendars.has(host.writeCalendarId)) problems.push({ path: ['hosts', index, 'writeCalendarId'], message: 'each host has a calendar of its own' });
      writeCalendars.add(host.writeCalendarId);
      if (host.weight !== undefined && !(host.weight > 0 && host.weight <= 1000)) problems.push({ path: ['hosts', index, 'weight'], message: 'greater than 0, at most 1000' });
      if (host.priority !== undefined && (host.priority < 0 || host.priority > 100)) problems.push({ path: ['hosts', index, 'priority'], message: 'from 0 to 100' });
    });
  }
  if (content.rooms !== undefined) {
    if (content.rooms.length > MAX_ROOMS) problems.push({ path: ['rooms'], message: `at most ${MAX_ROOMS} rooms` });
    const seen = new Set<string>();
    content.rooms.forEach((room, index) => {
      if (seen.has(room.calendarId)) problems.push({ path: ['rooms', index, 'calendarId'], message: 'listed twice' });
      seen.add(room.calendarId);
    });
  }
  content.reminders?.forEach((reminder, index) => {
    if (reminder.minutesBefore < 0 || reminder.minutesBefore > 30 * 1440) problems.push({ path: ['reminders', index, 'minutesBefore'], message: 'from 0 to 43200 minutes' });
    if (reminder.channels.length === 0) problems.push({ path: ['reminders', index, 'channels'], message: 'at least one channel' });
  });
  if (content.reminders !== undefined && content.reminders.length > MAX_REMINDERS) problems.push({ path: ['reminders'], message: `at most ${MAX_REMINDERS} reminders` });
  if (content.recurrence !== undefined && (content.recurrence.maxOccurrences < 1 || content.recurrence.maxOccurrences > MAX_OCCURRENCES)) {
    problems.push({ path: ['recurrence', 'maxOccurrences'], message: `from 1 to ${MAX_OCCURRENCES}` });
  }
  return problems;
}
