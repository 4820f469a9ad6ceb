/**
 * The seam between bookings and video conferencing for meetings that live outside the calendar provider
 * (Zoom; later Webex). Google Meet and Microsoft Teams links are made by the calendar write itself
 * (`conference` on the event draft), so bookings call this port only for those providers.
 *
 * Contract: every method is idempotent on `bookingId` (a retried create after a timeout returns the same
 * meeting, never a second one). A failure the booking must survive (quota exhausted, Zoom unreachable) is
 * returned as `{ ok: false }` with a dotted code such as `video.quota_exhausted`, never thrown: the booking
 * is still made, without a link, and the caller events and logs the failure. The one failure a new booking
 * does not survive is `video.connection_missing` (the named connection was disconnected): that is a booking
 * type to fix, so the booking is refused (409) instead of silently made without a link.
 */
export interface BookingMeetingRequest {
  tenantId: string;
  bookingId: string;
  /** The Zoom connection hosting this host's meetings (booking type host `video.connectionId`). */
  connectionId: string;
  /** The Zoom user (booking type host `video.userId`); the connection's default user when absent. */
  userId?: string;
  title: string;
  /** UTC instants, ISO 8601. */
  start: string;
  end: string;
  timeZone: string;
  /** A recurring booking's or event's recurrence lines (`RRULE:…`): one meeting serves every occurrence. */
  recurrence?: readonly string[] | undefined;
}

export interface BookingMeeting {
  provider: 'zoom';
  meetingId: string;
  joinUrl: string;
}

export type BookingMeetingResult =
  | { ok: true; meeting: BookingMeeting }
  | { ok: false; code: string; message: string; retryable: boolean };

export interface BookingConferencing {
  createMeeting(request: BookingMeetingRequest): Promise<BookingMeetingResult>;
  /**
   * Moves the booking's meeting (reschedule); the join URL stays. Without `meetingId`, the meeting stored
   * for the booking (`video.not_found` when it has none, e.g. its create hit the quota).
   */
  moveMeeting(request: BookingMeetingRequest & { meetingId?: string | undefined }): Promise<BookingMeetingResult>;
  /** Deletes the booking's meeting (cancel). Without `meetingId`, the stored one; none stored is `ok` (nothing to delete). */
  deleteMeeting(request: { tenantId: string; bookingId: string; connectionId?: string | undefined; meetingId?: string | undefined }): Promise<{ ok: true } | { ok: false; code: string; message: string; retryable: boolean }>;
}
