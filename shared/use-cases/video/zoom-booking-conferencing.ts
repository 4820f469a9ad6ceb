import { isAppError, toAppError } from '../../domain/app-error.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import { utcDay, ZOOM_DAILY_MEETING_LIMIT } from '../../domain/video-connection.ts';
import type { BookingConferencing, BookingMeetingRequest, BookingMeetingResult } from '../../ports/booking-conferencing.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import type { Log } from '../../ports/log.ts';
import type { BookingMeetingStore, VideoConnectionStore } from '../../ports/video-connection-store.ts';
import type { VideoMeeting, VideoProvider } from '../../ports/video-provider.ts';
import type { ZoomConnector } from '../../ports/zoom-connector.ts';
import { isEventMeetingOwner } from '../events/event-zoom.ts';

export interface ZoomBookingConferencingDeps {
  videoConnections: VideoConnectionStore;
  meetings: BookingMeetingStore;
  zoom: ZoomConnector;
  publisher: EventPublisher;
  log: Log;
  clock: Clock;
  /** The integration log: links created (video.link_created) and meeting failures (error). */
  integrationLog?: IntegrationLogWriter | undefined;
}

type Failure = { ok: false; code: string; message: string; retryable: boolean };

/** The booking a meeting's events name: none for the meeting of a plain event write (owner `evw_…`). */
const bookingIdOf = (ownerId: string): string | null => (isEventMeetingOwner(ownerId) ? null : ownerId);

/**
 * Bookings' Zoom meetings (shared/ports/booking-conferencing.ts). Idempotent on the booking id twice over:
 * the meeting of a booking is stored, so a retried create returns it without asking Zoom; and the Zoom
 * create itself carries a reference derived from tenant + booking, so a create whose answer was lost
 * before it could be stored is found at Zoom instead of being made again. Failures the booking must
 * survive are returned, never thrown; a used-up daily quota is also evented (`video.quota_exhausted`)
 * and logged, so a missing link is never silent.
 */
export class ZoomBookingConferencing implements BookingConferencing {
  readonly #deps: ZoomBookingConferencingDeps;

  constructor(deps: ZoomBookingConferencingDeps) {
    this.#deps = deps;
  }

  async createMeeting(request: BookingMeetingRequest): Promise<BookingMeetingResult> {
    const stored = await this.#deps.meetings.getMeeting(request.tenantId, request.bookingId);
    if (stored) return { ok: true, meeting: { provider: 'zoom', meetingId: stored.meetingId, joinUrl: stored.joinUrl } };
    return this.#attempt(request, async (zoom, hostId) => {
      const meeting = await zoom.createMeeting(this.#spec(request));
      await this.#deps.meetings.putMeeting({ tenantId: request.tenantId, bookingId: request.bookingId, connectionId: request.connectionId, zoomUserId: hostId, meetingId: meeting.meetingId, joinUrl: meeting.joinUrl, createdAt: this.#deps.clock.now().toISOString() });
      await this.#publish('video.meeting.created', request, meeting);
      await recordIntegrationEvent(this.#deps, { tenantId: request.tenantId, type: 'video.link_created', success: true, bookingId: request.bookingId, correlationId: request.bookingId, resourceId: request.connectionId, summary: 'Zoom meeting created for the booking', details: { provider: 'zoom', meetingId: meeting.meetingId, start: meeting.start }, at: this.#deps.clock.now() });
      return meeting;
    });
  }

  async moveMeeting(request: BookingMeetingRequest & { meetingId?: string | undefined }): Promise<BookingMeetingResult> {
    let meetingId = request.meetingId;
    let connectionId = request.connectionId;
    if (!meetingId) {
      const stored = await this.#deps.meetings.getMeeting(request.tenantId, request.bookingId);
      if (!stored) return { ok: false, code: 'video.not_found', message: `Booking ${request.bookingId} has no Zoom meeting to move`, retryable: false };
      meetingId = stored.meetingId;
      // The meeting stays with the connection that made it, even if the booking type's host changed since.
      connectionId = stored.connectionId;
    }
    const target = meetingId;
    return this.#attempt({ ...request, connectionId }, async (zoom) => {
      const meeting = await zoom.updateMeeting(target, this.#spec(request));
      await this.#publish('video.meeting.updated', { ...request, connectionId }, meeting);
      return meeting;
    });
  }

  async deleteMeeting(request: { tenantId: string; bookingId: string; connectionId?: string | undefined; meetingId?: string | undefined }): Promise<{ ok: true } | Failure> {
    try {
      let { meetingId, connectionId } = request;
      if (!meetingId || !connectionId) {
        const stored = await this.#deps.meetings.getMeeting(request.tenantId, request.bookingId);
        // Nothing stored: no meeting was made (quota, no connection) or it is gone already (deleted in Zoom).
        if (!stored) return { ok: true };
        meetingId ??= stored.meetingId;
        connectionId ??= stored.connectionId;
      }
      const connection = await this.#deps.videoConnections.get(request.tenantId, connectionId);
      // Disconnected: its meetings stay at Zoom (no credentials to delete them with); the booking is cancelled all the same.
      if (!connection) return { ok: false, code: 'video.connection_missing', message: `Zoom connection ${connectionId} does not exist (disconnected?); its meeting ${meetingId} stays at Zoom`, retryable: false };
      const zoom = await this.#deps.zoom.provider(connection);
      await zoom.deleteMeeting(meetingId);
      await this.#deps.meetings.deleteMeeting(request.tenantId, request.bookingId);
      await this.#deps.publisher.publish([
        domainEvent('video.meeting.deleted', request.tenantId, { provider: 'zoom', connectionId, bookingId: bookingIdOf(request.bookingId), meetingId, joinUrl: null, start: null, end: null, source: 'api' }, { idempotencyParts: [request.bookingId, meetingId, 'deleted'], time: this.#deps.clock.now() }),
      ]);
      return { ok: true };
    } catch (error) {
      return this.#failure(error, request);
    }
  }

  #spec(request: BookingMeetingRequest) {
    return { key: `booking:${request.tenantId}:${request.bookingId}`, title: request.title, start: request.start, end: request.end, timeZone: request.timeZone, ...(request.recurrence ? { recurrence: request.recurrence } : {}) };
  }

  async #attempt(request: BookingMeetingRequest, run: (zoom: VideoProvider, hostId: string) => Promise<VideoMeeting>): Promise<BookingMeetingResult> {
    const day = utcDay(this.#deps.clock.now());
    let hostId = request.userId ?? '';
    try {
      const connection = await this.#deps.videoConnections.get(request.tenantId, request.connectionId);
      if (!connection) return { ok: false, code: 'video.connection_missing', message: `Zoom connection ${request.connectionId} does not exist (disconnected?)`, retryable: false };
      hostId = connection.kind === 'user' ? connection.userId : (request.userId ?? connection.userId);
      const zoom = await this.#deps.zoom.provider(connection, hostId);
      const meeting = await run(zoom, hostId);
      await this.#deps.videoConnections.recordUsage(request.tenantId, request.connectionId, hostId, day, { by: 1 });
      return { ok: true, meeting: { provider: 'zoom', meetingId: meeting.meetingId, joinUrl: meeting.joinUrl } };
    } catch (error) {
      if (isAppError(error, 'video.quota_exhausted')) {
        await this.#deps.videoConnections.recordUsage(request.tenantId, request.connectionId, hostId, day, { atLeast: ZOOM_DAILY_MEETING_LIMIT }).catch(() => undefined);
        const resetAt = typeof error.details?.resetAt === 'string' ? error.details.resetAt : null;
        this.#deps.log.warn('video.quota_exhausted', { tenantId: request.tenantId, bookingId: bookingIdOf(request.bookingId), meetingOwner: request.bookingId, connectionId: request.connectionId, zoomUserId: hostId, resetAt });
        await this.#deps.publisher.publish([
          domainEvent('video.quota_exhausted', request.tenantId, { provider: 'zoom', connectionId: request.connectionId, bookingId: bookingIdOf(request.bookingId), zoomUserId: hostId, limit: ZOOM_DAILY_MEETING_LIMIT, resetAt, message: error.message }, { idempotencyParts: [request.bookingId, day, 'quota'], time: this.#deps.clock.now() }),
        ]);
      }
      return this.#failure(error, request);
    }
  }

  async #failure(error: unknown, request: { tenantId: string; bookingId: string; connectionId?: string }): Promise<Failure> {
    const appError = toAppError(error);
    // A plain event write's meeting (owner `evw_…`) belongs to no booking: the entry names none, and says so.
    const bookingId = bookingIdOf(request.bookingId);
    if (appError.code !== 'video.quota_exhausted') this.#deps.log.warn('video.meeting_failed', { tenantId: request.tenantId, bookingId, meetingOwner: request.bookingId, code: appError.code, message: appError.message });
    await recordIntegrationEvent(this.#deps, {
      tenantId: request.tenantId,
      type: 'error',
      success: false,
      ...(bookingId ? { bookingId } : {}),
      correlationId: request.bookingId,
      resourceId: request.connectionId ?? null,
      summary: `Zoom meeting of the ${bookingId ? 'booking' : 'event'} failed (${appError.code})`,
      error: { code: appError.code, message: appError.message, retryable: appError.retryable },
      at: this.#deps.clock.now(),
    });
    return { ok: false, code: appError.code, message: appError.message, retryable: appError.retryable };
  }

  async #publish(type: 'video.meeting.created' | 'video.meeting.updated', request: BookingMeetingRequest, meeting: VideoMeeting): Promise<void> {
    await this.#deps.publisher.publish([
      domainEvent(type, request.tenantId, { provider: 'zoom', connectionId: request.connectionId, bookingId: bookingIdOf(request.bookingId), meetingId: meeting.meetingId, joinUrl: meeting.joinUrl, start: meeting.start, end: meeting.end, source: 'api' }, { idempotencyParts: [request.bookingId, meeting.meetingId, type, meeting.start], time: this.#deps.clock.now() }),
    ]);
  }
}
