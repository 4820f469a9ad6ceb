import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { Booking } from '../../domain/booking.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import type { BookingStore } from '../../ports/booking-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { Log } from '../../ports/log.ts';
import type { BookingMeetingStore } from '../../ports/video-connection-store.ts';
import { isEventMeetingOwner } from '../events/event-zoom.ts';

export interface ZoomWebhookDeps {
  /** ZOOM_WEBHOOK_SECRET_TOKEN; null when not configured. */
  secretToken: string | null;
  meetings: BookingMeetingStore;
  /** The bookings whose meetings change: the link removed, a time moved in Zoom flagged. */
  bookings: Pick<BookingStore, 'get' | 'replace'>;
  publisher: EventPublisher;
  log: Log;
  clock: Clock;
}

/** Zoom signs with the time of sending; older (or further ahead) than this is a replay and refused. */
export const ZOOM_SIGNATURE_MAX_AGE_SECONDS = 300;

export type ZoomWebhookResult = { status: 200; body: unknown } | { status: 400 | 401; body: { code: string; message: string } };

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // Lengths are not secret (always v0= + 64 hex); compare contents in constant time.
  return left.length === right.length && timingSafeEqual(left, right);
}

const reject = (status: 400 | 401, code: string, message: string): ZoomWebhookResult => ({ status, body: { code, message } });

/**
 * `POST /hooks/zoom` (providers.md item 54). The signature is checked first over the raw body —
 * `v0=` hex HMAC-SHA256(secret token, `v0:{x-zm-request-timestamp}:{raw body}`), constant-time, the
 * timestamp within 5 minutes — so an unsigned, wrongly signed or replayed request is a 401 that reads and
 * writes nothing; a signed body that is not a Zoom event is a 400. Then `endpoint.url_validation` is
 * answered with `{plainToken, encryptedToken}`, and `meeting.updated` / `meeting.deleted` of a booking's
 * meeting become `video.meeting.updated` / `video.meeting.deleted` (source `provider`) and change the
 * booking: a deleted meeting leaves it without a link (`conference.joinUrl: null`); a meeting moved in
 * Zoom to another time is flagged on it (`conference.movedInProvider`), the booking keeping its own time.
 */
export async function handleZoomWebhook(deps: ZoomWebhookDeps, request: { headers: Record<string, string | undefined>; rawBody: string }): Promise<ZoomWebhookResult> {
  if (!deps.secretToken) throw new AppError('video.provider_unavailable', 'Zoom webhooks are not configured (ZOOM_WEBHOOK_SECRET_TOKEN)', { retryable: false });
  const timestampText = request.headers['x-zm-request-timestamp'];
  const signature = request.headers['x-zm-signature'];
  if (!timestampText || !signature) return reject(401, 'zoom.signature_missing', 'x-zm-signature and x-zm-request-timestamp are required');
  if (!/^\d{1,12}$/.test(timestampText)) return reject(401, 'zoom.timestamp_invalid', 'x-zm-request-timestamp must be seconds since the epoch');
  const ageSeconds = Math.abs(deps.clock.now().getTime() / 1000 - Number(timestampText));
  if (ageSeconds > ZOOM_SIGNATURE_MAX_AGE_SECONDS) return reject(401, 'zoom.timestamp_stale', 'the request timestamp is more than 5 minutes away from now');
  const expected = `v0=${hmacHex(deps.secretToken, `v0:${timestampText}:${request.rawBody}`)}`;
  if (!sameText(expected, signature)) return reject(401, 'zoom.signature_invalid', 'the signature does not match');

  let event: { event?: unknown; payload?: Record<string, unknown> };
  try {
    event = JSON.parse(request.rawBody) as typeof event;
  } catch {
    return reject(400, 'zoom.body_invalid', 'the body is not JSON');
  }
  if (!event || typeof event !== 'object' || typeof event.event !== 'string' || !event.payload || typeof event.payload !== 'object') return reject(400, 'zoom.body_invalid', 'the body is not a Zoom event ({event, payload})');

  if (event.event === 'endpoint.url_validation') {
    const plainToken = event.payload.plainToken;
    if (typeof plainToken !== 'string' || plainToken.length === 0 || plainToken.length > 512) return reject(400, 'zoom.body_invalid', 'payload.plainToken is required');
    return { status: 200, body: { plainToken, encryptedToken: hmacHex(deps.secretToken, plainToken) } };
  }
  if (event.event !== 'meeting.updated' && event.event !== 'meeting.deleted') return { status: 200, body: { ignored: event.event } };

  const object = (event.payload.object ?? {}) as { id?: unknown; start_time?: unknown; duration?: unknown };
  const meetingId = typeof object.id === 'number' || typeof object.id === 'string' ? String(object.id) : null;
  if (!meetingId) return reject(400, 'zoom.body_invalid', 'payload.object.id is required');
  const record = await deps.meetings.findByZoomMeeting(meetingId);
  if (!record) return { status: 200, body: { ignored: 'unknown meeting' } };
  const time = deps.clock.now();
  // A plain event write's meeting has no booking: its events say `bookingId: null`.
  const eventOwned = isEventMeetingOwner(record.bookingId);
  const bookingId = eventOwned ? null : record.bookingId;
  if (event.event === 'meeting.deleted') {
    await updateBooking(deps, record.tenantId, record.bookingId, (booking) =>
      booking.conference.provider === 'zoom' && booking.conference.joinUrl !== null ? { ...booking, conference: { provider: booking.conference.provider, joinUrl: null } } : null,
    );
    await deps.meetings.deleteMeeting(record.tenantId, record.bookingId);
    await deps.publisher.publish([
      domainEvent(
        'video.meeting.deleted',
        record.tenantId,
        {
          provider: 'zoom',
          connectionId: record.connectionId,
          bookingId,
          meetingId,
          joinUrl: null,
          start: null,
          end: null,
          source: 'provider',
          // A plain event's meeting: the event whose link booking-lifecycle takes off.
          ...(eventOwned ? { calendarEvent: record.event ?? null } : {}),
        },
        { idempotencyParts: [record.bookingId, meetingId, 'deleted'], time },
      ),
    ]);
  } else {
    const startMs = typeof object.start_time === 'string' ? Date.parse(object.start_time) : Number.NaN;
    const start = Number.isNaN(startMs) ? null : new Date(startMs).toISOString();
    const end = start && typeof object.duration === 'number' ? new Date(startMs + object.duration * 60_000).toISOString() : null;
    if (start) {
      await updateBooking(deps, record.tenantId, record.bookingId, (booking) => {
        const { movedInProvider: flagged, ...conference } = booking.conference;
        // Back at the booking's own time (or our own move coming back): nothing to flag.
        if (Date.parse(start) === Date.parse(booking.start)) return flagged ? { ...booking, conference } : null;
        return { ...booking, conference: { ...conference, movedInProvider: { start, end, at: time.toISOString() } } };
      });
    }
    await deps.publisher.publish([
      domainEvent('video.meeting.updated', record.tenantId, { provider: 'zoom', connectionId: record.connectionId, bookingId, meetingId, joinUrl: record.joinUrl, start, end, source: 'provider' }, { idempotencyParts: [record.bookingId, meetingId, 'updated', timestampText], time }),
    ]);
  }
  deps.log.info('zoom.webhook', { event: event.event, tenantId: record.tenantId, bookingId, meetingId });
  return { status: 200, body: { received: event.event } };
}

const BOOKING_WRITE_ATTEMPTS = 3;

/** Applies `change` to a confirmed booking (null: nothing to change), again on a concurrent write. */
async function updateBooking(deps: ZoomWebhookDeps, tenantId: string, bookingId: string, change: (booking: Booking) => Booking | null): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const booking = await deps.bookings.get(tenantId, bookingId);
    if (!booking || booking.status !== 'confirmed') return;
    const changed = change(booking);
    if (!changed) return;
    try {
      await deps.bookings.replace({ ...changed, updatedAt: deps.clock.now().toISOString() }, booking.version);
      return;
    } catch (error) {
      if (!isAppError(error, 'storage.conflict') || attempt >= BOOKING_WRITE_ATTEMPTS) throw error;
    }
  }
}
