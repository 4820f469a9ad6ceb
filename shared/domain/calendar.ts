import * as z from 'zod/mini';
import { ProviderKind } from './connection.ts';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

const DAY_MS = 86_400_000;

/** How far back and ahead a calendar is mirrored. Each side 7–365 days (defaults 30 back, 365 ahead). */
export const SyncWindow = z.object({
  pastDays: z._default(z.int().check(z.gte(7), z.lte(365)), 30),
  futureDays: z._default(z.int().check(z.gte(7), z.lte(365)), 365),
});
export type SyncWindow = z.infer<typeof SyncWindow>;
export const DEFAULT_SYNC_WINDOW: SyncWindow = { pastDays: 30, futureDays: 365 };

export interface TimeRange {
  start: Date;
  /** Exclusive. */
  end: Date;
}

/** The absolute range a window covers at `now`, aligned to whole UTC days so repeated runs agree. */
export function syncWindowRange(window: SyncWindow, now: Date): TimeRange {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { start: new Date(today - window.pastDays * DAY_MS), end: new Date(today + (window.futureDays + 1) * DAY_MS) };
}

export const PushKind = z.enum(['google-channel', 'graph-subscription']);
export type PushKind = z.infer<typeof PushKind>;
export const PushCapability = z.enum(['google-channel', 'graph-subscription', 'none']);
export type PushCapability = z.infer<typeof PushCapability>;

/**
 * A live push channel (Google `events.watch`) or subscription (Graph). The per-channel secret (Google
 * channel token / Graph clientState) is kept only as a SHA-256 hash: the receiver hashes what arrives and
 * compares in constant time.
 */
export const PushChannel = z.object({
  kind: PushKind,
  /** Google channel id (ours) or Graph subscription id (theirs). */
  channelId: z.string(),
  /** Google's resourceId (needed by channels.stop); null for Graph. */
  resourceId: z.nullable(z.string()),
  secretHash: z.string(),
  expiresAt: Instant,
});
export type PushChannel = z.infer<typeof PushChannel>;

/**
 * Whose calendar it is: a person's (`user`), a meeting room's or another bookable resource's (a projector,
 * a car). Rooms and resources take part in availability like people; the kind lets callers pick them out
 * (e.g. for "one of these rooms" groups). Set at discovery where the provider says so (`ProviderCalendar.kind`:
 * Google resource calendars); settable with PATCH /v1/calendars/{id}, which discovery then keeps.
 */
export const CalendarKind = z.enum(['user', 'room', 'resource']);
export type CalendarKind = z.infer<typeof CalendarKind>;

export const Calendar = z.object({
  tenantId: TenantId,
  id: z.string(),
  connectionId: z.string(),
  provider: ProviderKind,
  /** The provider's id (Google calendar id, Graph calendar id, CalDAV collection URL). */
  providerCalendarId: z.string(),
  name: z.string(),
  description: z.nullable(z.string()),
  /** IANA zone of the calendar; used for all-day and floating times. */
  timeZone: z.nullable(z.string()),
  color: z.nullable(z.string()),
  isPrimary: z.boolean(),
  readOnly: z.boolean(),
  syncEnabled: z.boolean(),
  syncWindow: SyncWindow,
  /** Opaque provider cursor (sync token, delta link, sync-collection token); null = next sync is full. */
  cursor: z.nullable(z.string()),
  /** Incremented on every cursor write; the write is conditional on the version read. */
  cursorVersion: z.int().check(z.gte(0)),
  lastSyncStartedAt: z.nullable(Instant),
  lastSyncedAt: z.nullable(Instant),
  lastFullSyncAt: z.nullable(Instant),
  push: z.nullable(PushChannel),
  /** Absent on calendars stored before kinds existed: `user`. */
  kind: z.optional(CalendarKind),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Calendar = z.infer<typeof Calendar>;

export const CalendarView = z.extend(
  z.pick(Calendar, {
  id: true,
  connectionId: true,
  provider: true,
  providerCalendarId: true,
  name: true,
  description: true,
  timeZone: true,
  color: true,
  isPrimary: true,
  readOnly: true,
  syncEnabled: true,
  syncWindow: true,
  lastSyncedAt: true,
  lastFullSyncAt: true,
  createdAt: true,
  updatedAt: true,
  }),
  { kind: CalendarKind },
);
export type CalendarView = z.infer<typeof CalendarView>;

export function toCalendarView(calendar: Calendar): CalendarView {
  return {
    id: calendar.id,
    connectionId: calendar.connectionId,
    provider: calendar.provider,
    providerCalendarId: calendar.providerCalendarId,
    name: calendar.name,
    description: calendar.description,
    timeZone: calendar.timeZone,
    color: calendar.color,
    isPrimary: calendar.isPrimary,
    readOnly: calendar.readOnly,
    syncEnabled: calendar.syncEnabled,
    syncWindow: calendar.syncWindow,
    kind: calendarKindOf(calendar),
    lastSyncedAt: calendar.lastSyncedAt,
    lastFullSyncAt: calendar.lastFullSyncAt,
    createdAt: calendar.createdAt,
    updatedAt: calendar.updatedAt,
  };
}

export function calendarKindOf(calendar: Pick<Calendar, 'kind'>): CalendarKind {
  return calendar.kind ?? 'user';
}

