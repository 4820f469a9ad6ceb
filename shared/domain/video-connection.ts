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

/** Usage of the daily create/update quota of the default host, as the API shows it. */
export interface VideoQuotaView {
  day: string;
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

export function toVideoConnectionView(connection: VideoConnection, usedToday: number, now: Date): VideoConnectionView {
  const { tenantId: _tenantId, ...rest } = connection;
  const used = Math.min(usedToday, ZOOM_DAILY_MEETING_LIMIT);
  return { ...rest, quota: { day: utcDay(now), userId: connection.userId, used, limit: ZOOM_DAILY_MEETING_LIMIT, left: ZOOM_DAILY_MEETING_LIMIT - used } };
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
});
export type BookingMeetingRecord = z.infer<typeof BookingMeetingRecord>;
