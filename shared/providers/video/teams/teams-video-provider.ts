import { AppError } from '../../../domain/app-error.ts';
import type { EventDraft, ProviderEvent } from '../../../domain/calendar-event.ts';
import { videoConferenceOf } from '../../../domain/video-conference.ts';
import type { CalendarProvider, ProviderCalendarRef } from '../../../ports/calendar-provider.ts';
import type { VideoMeeting, VideoMeetingSpec, VideoProvider } from '../../../ports/video-provider.ts';

/** What the Teams adapter needs of the Graph calendar adapter: the calendar port and the meeting providers. */
export type GraphCalendarWithMeetings = CalendarProvider & { onlineMeetingProviders(calendar: ProviderCalendarRef): Promise<string[]> };

export interface TeamsVideoProviderOptions {
  calendar: GraphCalendarWithMeetings;
  calendarRef: ProviderCalendarRef;
}

/**
 * Microsoft Teams: the meeting is an Outlook event with `isOnlineMeeting` + `onlineMeetingProvider:
 * teamsForBusiness` (providers.md item 39), made by the Graph calendar adapter (its `transactionId` makes
 * a retried create the same event). Graph silently ignores the request on mailboxes that cannot host
 * Teams (personal accounts, no licence), so `allowedOnlineMeetingProviders` is read first and a clear
 * `video.teams_not_allowed` is thrown instead of an event without a link.
 */
export class TeamsVideoProvider implements VideoProvider {
  readonly kind = 'microsoft_teams' as const;
  readonly #options: TeamsVideoProviderOptions;

  constructor(options: TeamsVideoProviderOptions) {
    this.#options = options;
  }

  async createMeeting(spec: VideoMeetingSpec): Promise<VideoMeeting> {
    const allowed = await this.#options.calendar.onlineMeetingProviders(this.#options.calendarRef);
    if (!allowed.includes('teamsForBusiness')) throw notAllowed(allowed);
    const event = await this.#options.calendar.createEvent(this.#options.calendarRef, { ...draftOf(spec), conference: { provider: 'teams' } }, { key: spec.key });
    return toMeeting(event);
  }

  async getMeeting(ref: string): Promise<VideoMeeting | null> {
    const event = await this.#options.calendar.getEvent(this.#options.calendarRef, ref);
    return event && videoConferenceOf(event.conference)?.provider === 'microsoft_teams' ? toMeeting(event) : null;
  }

  async updateMeeting(ref: string, spec: VideoMeetingSpec): Promise<VideoMeeting> {
    return toMeeting(await this.#options.calendar.updateEvent(this.#options.calendarRef, ref, draftOf(spec)));
  }

  async deleteMeeting(ref: string): Promise<void> {
    await this.#options.calendar.deleteEvent(this.#options.calendarRef, ref);
  }
}

function notAllowed(allowed: string[]): AppError {
  return new AppError('video.teams_not_allowed', `This mailbox cannot host Teams meetings (it allows: ${allowed.length ? allowed.join(', ') : 'none'}); choose Zoom or no conference`, {
    retryable: false,
    details: { field: 'body.conference.provider', allowedOnlineMeetingProviders: allowed },
  });
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
  if (!conference || conference.provider !== 'microsoft_teams') throw notAllowed([]);
  const instant = (time: ProviderEvent['start']) => ('dateTime' in time ? new Date(time.dateTime).toISOString() : `${time.date}T00:00:00.000Z`);
  return { ...conference, ref: event.providerEventId, title: event.title ?? '', start: instant(event.start), end: instant(event.end) };
}
