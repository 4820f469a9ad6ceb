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

const ZOOM_MEETING = /zoom(?:gov)?\.(?:us|com)\/[jw]\/(\d+)/;
/** A Zoom join URL as Zoom issues it (`https://us05web.zoom.us/j/85012345678?pwd=…`). */
const ZOOM_JOIN_URL = /https:\/\/(?:[a-z0-9-]+\.)*zoom(?:gov)?\.(?:us|com)\/[jw]\/\d{9,12}(?:\?[^\s<>"']*)?/i;

/**
 * A Zoom meeting named by an event's location or description, where Zoom's calendar add-ons, our own
 * writes and people put the link (no calendar provider has a native field for it): the conference the
 * event has when its provider reported none. Read at normalization, so a write and the next sync agree.
 */
export function zoomConferenceInText(location: string | null | undefined, description: string | null | undefined): Conference | null {
  for (const text of [location, description]) {
    const url = text ? ZOOM_JOIN_URL.exec(text)?.[0] : undefined;
    if (url) return { provider: 'zoom', url, id: ZOOM_MEETING.exec(url)?.[1] ?? null, status: 'ready' };
  }
  return null;
}

export function videoConferenceOf(conference: Conference | null | undefined): NormalizedConference | null {
  if (!conference?.url || conference.provider === 'other') return null;
  const provider = conference.provider === 'teams' ? 'microsoft_teams' : conference.provider;
  let meetingId = conference.id;
  if (!meetingId && provider === 'zoom') meetingId = ZOOM_MEETING.exec(conference.url)?.[1] ?? null;
  meetingId ??= conference.url;
  return { provider, joinUrl: conference.url, meetingId };
}
