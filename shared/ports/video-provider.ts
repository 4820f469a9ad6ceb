/**
 * The one interface every video provider implements (Zoom over its REST API; Google Meet and Microsoft
 * Teams through the calendar adapters, because their meetings live on a calendar event). One contract suite
 * (test/contract/video-contract.ts) runs against each, so another provider (Webex) is one new folder under
 * shared/providers/video/.
 *
 * Every method throws only AppErrors with `video.*` codes: `quota_exhausted` (a daily limit; not
 * retryable, `details.resetAt`), `rate_limited` (retryAfterMs), `unavailable`, `auth_failed`,
 * `not_found`, `input_invalid`, `teams_not_allowed`.
 */
export type VideoProviderKind = 'zoom' | 'google_meet' | 'microsoft_teams';

export interface DialIn {
  number: string;
  country: string | null;
}

/** A meeting as the product shows it (event `conference`, booking `conference`). */
export interface VideoConference {
  provider: VideoProviderKind;
  joinUrl: string;
  meetingId: string;
  dialIn?: DialIn[];
}

export interface VideoMeeting extends VideoConference {
  /** What update/delete take: the Zoom meeting id, or the provider event id for Meet and Teams. */
  ref: string;
  title: string;
  /** UTC instants, ISO 8601. */
  start: string;
  end: string;
}

export interface VideoMeetingSpec {
  /**
   * A stable key for this meeting (e.g. tenant + booking id): repeating a create with the same key after a
   * timeout or a crash returns the first meeting, never a second one.
   */
  key: string;
  title: string;
  /** UTC instants, ISO 8601. */
  start: string;
  end: string;
  timeZone: string;
  description?: string;
  /**
   * The event's recurrence lines (`RRULE:…`, `EXDATE:…`) when it is a series: the meeting then serves every
   * occurrence (Zoom: its own series where it repeats exactly alike, else a link without a fixed time).
   */
  recurrence?: readonly string[] | undefined;
}

export interface VideoProvider {
  readonly kind: VideoProviderKind;
  createMeeting(spec: VideoMeetingSpec): Promise<VideoMeeting>;
  /** Null when it does not exist (any more). */
  getMeeting(ref: string): Promise<VideoMeeting | null>;
  /** Moves and renames the meeting (reschedule); the join URL stays. */
  updateMeeting(ref: string, spec: VideoMeetingSpec): Promise<VideoMeeting>;
  /** Deleting what is already gone succeeds. */
  deleteMeeting(ref: string): Promise<void>;
}
