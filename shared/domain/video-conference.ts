import type { Conference } from './calendar-event.ts';

/**
 * The stored conference (`{provider, url, id, status}`, as every calendar adapter reads it) in the shape
 * the product shows: `{provider, joinUrl, meetingId}` with the API's provider names (`microsoft_teams`).
 * Null while there is no link yet (a pending Meet) or for conferences we do not make (`other`).
 */
export interface NormalizedConference {
  provider: 'google_meet' | 'microsoft_teams' | 'zoom';
  joinUrl: string;
  meetingId: string;
}

const ZOOM_MEETING = /zoom\.us\/[jw]\/(\d+)/;

export function videoConferenceOf(conference: Conference | null | undefined): NormalizedConference | null {
  if (!conference?.url || conference.provider === 'other') return null;
  const provider = conference.provider === 'teams' ? 'microsoft_teams' : conference.provider;
  let meetingId = conference.id;
  if (!meetingId && provider === 'zoom') meetingId = ZOOM_MEETING.exec(conference.url)?.[1] ?? null;
  meetingId ??= conference.url;
  return { provider, joinUrl: conference.url, meetingId };
}
