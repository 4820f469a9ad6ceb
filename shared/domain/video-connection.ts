import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/** Zoom's per-user daily limit for meeting create and update requests (providers.md §D, issue 13 §4). */
export const ZOOM_DAILY_MEETING_LIMIT = 100;

/**
 * A Zoom connection: a Server-to-Server OAuth app of a Zoom account (`s2s`, hosts any user of the account)
 * or one Zoom user's grant (`user`, hosts as that user). Not a calendar connection: nothing is synced from
 * it, so it lives beside them (`VCON#`), with its credentials sealed in the same item.
 */
export const VideoConnection = z.object({
  tenantId: TenantId,
  id: z.string(),
  provider: z.literal('zoom'),
  kind: z.enum(['s2s', 'user']),
  /** The Zoom account id. */
  accountId: z.string(),
  /** The default host: the Zoom user meetings are made for when a booking type host names none. */
  userId: z.string(),
  userEmail: z.nullable(z.string()),
  status: z.enum(['active', 'reauth_required']),
  createdAt: Instant,
  updatedAt: Instant,
});
export type VideoConnection = z.infer<typeof VideoConnection>;

export const VideoCredentials = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zoom_s2s'), clientId: z.string(), clientSecret: z.string() }),
  z.object({ kind: z.literal('zoom_user'), accessToken: z.string(), refreshToken: z.string(), expiresAtMs: z.number() }),
]);
export type VideoCredentials = z.infer<typeof VideoCredentials>;

/** One Zoom user's use today (UTC) of the per-user daily create/update limit. */
export interface VideoUserQuota {
  userId: string;
  used: number;
  remaining: number;
}

/**
 * Today's (UTC) use of Zoom's per-user daily create/update limit. `users`: every Zoom user the connection
 * made or moved meetings for today, the default host always first (also at 0). `userId`/`used`/`limit`/
 * `left` are the default host's, as before `users` existed (kept for compatibility).
 */
export interface VideoQuotaView {
  day: string;
  limitPerUserPerDay: number;
  users: VideoUserQuota[];
  userId: string;
  used: number;
  limit: number;
  left: number;
}

export interface VideoConnectionView {
  id: string;
  provider: 'zoom';
  kind: 's2s' | 'user';
  accountId: string;
  userId: string;
  userEmail: string | null;
  status: VideoConnection['status'];
  createdAt: string;
  updatedAt: string;
  quota: VideoQuotaView;
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The quota view from the counters of one day (`usage`: Zoom user → requests counted; absent users used none). */
export function videoQuotaOf(defaultUserId: string, usage: ReadonlyMap<string, number>, day: string): VideoQuotaView {
  const quotaOf = (userId: string): VideoUserQuota => {
    const used = Math.min(Math.max(usage.get(userId) ?? 0, 0), ZOOM_DAILY_MEETING_LIMIT);
    return { userId, used, remaining: ZOOM_DAILY_MEETING_LIMIT - used };
  };
  const others = [...usage.keys()].filter((userId) => userId !== defaultUserId).sort();
  const users = [defaultUserId, ...others].map(quotaOf);
  const host = users[0]!;
  return { day, limitPerUserPerDay: ZOOM_DAILY_MEETING_LIMIT, users, userId: host.userId, used: host.used, limit: ZOOM_DAILY_MEETING_LIMIT, left: host.remaining };
}

export function toVideoConnectionView(connection: VideoConnection, usageToday: ReadonlyMap<string, number>, now: Date): VideoConnectionView {
  const { tenantId: _tenantId, ...rest } = connection;
  return { ...rest, quota: videoQuotaOf(connection.userId, usageToday, utcDay(now)) };
}

/** The meeting made for one booking: found again by a retried create, moved and deleted with the booking. */
export const BookingMeetingRecord = z.object({
  tenantId: TenantId,
  bookingId: z.string(),
  connectionId: z.string(),
  zoomUserId: z.string(),
  meetingId: z.string(),
  joinUrl: z.string(),
  createdAt: Instant,
  /**
   * The calendar event a plain event write linked the meeting from (our ids): a meeting deleted in Zoom has
   * its dead link taken off that event. Bookings find their events through the booking instead.
   */
  event: z.optional(z.object({ calendarId: z.string(), eventId: z.string() })),
});
export type BookingMeetingRecord = z.infer<typeof BookingMeetingRecord>;
