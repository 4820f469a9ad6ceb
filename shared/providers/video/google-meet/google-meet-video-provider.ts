import { AppError } from '../../../domain/app-error.ts';
import { backoffDelayMs } from '../../../domain/backoff.ts';
import type { EventDraft, ProviderEvent } from '../../../domain/calendar-event.ts';
import { videoConferenceOf } from '../../../domain/video-conference.ts';
import type { CalendarProvider, ProviderCalendarRef } from '../../../ports/calendar-provider.ts';
import type { VideoMeeting, VideoMeetingSpec, VideoProvider } from '../../../ports/video-provider.ts';

export interface GoogleMeetVideoProviderOptions {
  /** The Google calendar adapter of the host's connection. */
  calendar: CalendarProvider;
  /** The calendar whose event carries the meeting. */
  calendarRef: ProviderCalendarRef;
  sleep?: (ms: number) => Promise<void>;
  /** Reads while Google still says `pending` (providers.md item 21). */
  pendingReads?: number;
}

/**
 * Google Meet: a Meet exists only on a calendar event, so the meeting is an event made by the Google
 * calendar adapter with `conference: google_meet` (conferenceData.createRequest hangoutsMeet, a requestId
 * derived from the key, conferenceDataVersion=1). Creation may answer `pending`; the event is then read
 * back until the join link is there. The same key names the same event (Google's client-chosen id), so a
 * retried create finds the first meeting.
 */
export class GoogleMeetVideoProvider implements VideoProvider {
  readonly kind = 'google_meet' as const;
  readonly #options: GoogleMeetVideoProviderOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: GoogleMeetVideoProviderOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async createMeeting(spec: VideoMeetingSpec): Promise<VideoMeeting> {
    const event = await this.#options.calendar.createEvent(this.#options.calendarRef, { ...draftOf(spec), conference: { provider: 'google_meet' } }, { key: spec.key });
    return this.#settled(event);
  }

  async getMeeting(ref: string): Promise<VideoMeeting | null> {
    const event = await this.#options.calendar.getEvent(this.#options.calendarRef, ref);
    if (!event || event.conference?.provider !== 'google_meet') return null;
    return toMeeting(event);
  }

  async updateMeeting(ref: string, spec: VideoMeetingSpec): Promise<VideoMeeting> {
    // No `conference` in the draft: Google keeps the Meet as it is and only the time and title move.
    const event = await this.#options.calendar.updateEvent(this.#options.calendarRef, ref, draftOf(spec));
    return this.#settled(event);
  }

  async deleteMeeting(ref: string): Promise<void> {
    await this.#options.calendar.deleteEvent(this.#options.calendarRef, ref);
  }

  async #settled(event: ProviderEvent): Promise<VideoMeeting> {
    let current = event;
    const reads = this.#options.pendingReads ?? 5;
    for (let read = 0; current.conference?.status === 'pending' && read < reads; read++) {
      if (read > 0) await this.#sleep(backoffDelayMs(read - 1, { baseMs: 250, capMs: 2_000 }));
      current = (await this.#options.calendar.getEvent(this.#options.calendarRef, current.providerEventId)) ?? current;
    }
    return toMeeting(current);
  }
}

function draftOf(spec: VideoMeetingSpec): EventDraft {
  return {
    title: spec.title,
    start: { dateTime: new Date(spec.start).toISOString(), timeZone: spec.timeZone },
    end: { dateTime: new Date(spec.end).toISOString(), timeZone: spec.timeZone },
    ...(spec.description === undefined ? {} : { description: spec.description }),
  };
}

function toMeeting(event: ProviderEvent): VideoMeeting {
  const conference = videoConferenceOf(event.conference);
  if (!conference || conference.provider !== 'google_meet') {
    throw new AppError('video.unavailable', event.conference?.status === 'pending' ? 'Google is still creating the Meet; try again shortly' : 'Google did not add a Meet to the event', { retryable: true });
  }
  return { ...conference, ref: event.providerEventId, title: event.title ?? '', start: instantOf(event.start), end: instantOf(event.end) };
}

function instantOf(time: ProviderEvent['start']): string {
  return 'dateTime' in time ? new Date(time.dateTime).toISOString() : `${time.date}T00:00:00.000Z`;
}
