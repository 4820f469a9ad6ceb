import type ICAL from 'ical.js';
import type { Attendee, Conference, ConferenceProvider, EventStatus, Organizer, ResponseStatus, Transparency } from '../../../domain/calendar-event.ts';

/** A property's text value, or null when absent or blank. */
export function textValue(component: ICAL.Component, name: string): string | null {
  const property = component.getFirstProperty(name);
  if (!property) return null;
  const value = property.getFirstValue();
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.trim() === '' ? null : text;
}

export function mapStatus(component: ICAL.Component): EventStatus {
  switch (textValue(component, 'status')?.trim().toUpperCase()) {
    case 'TENTATIVE':
      return 'tentative';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return 'confirmed';
  }
}

/** Microsoft's busy status decides when present (Outlook's "Show as"); otherwise TRANSP. */
export function mapTransparency(component: ICAL.Component): Transparency {
  const busy = textValue(component, 'x-microsoft-cdo-busystatus')?.trim().toUpperCase();
  if (busy === 'FREE') return 'transparent';
  if (busy === 'BUSY' || busy === 'OOF' || busy === 'TENTATIVE' || busy === 'WORKINGELSEWHERE') return 'opaque';
  return textValue(component, 'transp')?.trim().toUpperCase() === 'TRANSPARENT' ? 'transparent' : 'opaque';
}

function emailOf(property: ICAL.Property): string | null {
  const value = String(property.getFirstValue() ?? '').trim();
  const fromValue = /^mailto:/i.test(value) ? value.replace(/^mailto:/i, '') : value.includes('@') && !value.includes(':') ? value : null;
  const param = property.getParameter('email');
  const fromParam = typeof param === 'string' ? param : null;
  const email = (fromValue || fromParam || '').trim();
  return email ? email : null;
}

function nameOf(property: ICAL.Property): string | null {
  const cn = property.getParameter('cn');
  const name = typeof cn === 'string' ? cn.trim() : '';
  return name ? name : null;
}

export function mapOrganizer(component: ICAL.Component): Organizer | null {
  const property = component.getFirstProperty('organizer');
  if (!property) return null;
  const email = emailOf(property);
  const name = nameOf(property);
  if (!email && !name) return null;
  return { email, name, self: false };
}

const PARTSTAT: Readonly<Record<string, ResponseStatus>> = {
  'NEEDS-ACTION': 'needs_action',
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  DELEGATED: 'needs_action',
};

export function mapAttendees(component: ICAL.Component, organizer: Organizer | null): Attendee[] {
  const attendees: Attendee[] = [];
  for (const property of component.getAllProperties('attendee')) {
    const email = emailOf(property);
    const partstat = property.getParameter('partstat');
    const role = property.getParameter('role');
    const responseStatus = (typeof partstat === 'string' ? PARTSTAT[partstat.toUpperCase()] : undefined) ?? 'needs_action';
    attendees.push({
      email,
      name: nameOf(property),
      responseStatus,
      optional: typeof role === 'string' && role.toUpperCase() === 'OPT-PARTICIPANT',
      organizer: email !== null && organizer?.email?.toLowerCase() === email.toLowerCase(),
      self: false,
    });
  }
  return attendees;
}

const MEETING_LINKS: readonly { provider: ConferenceProvider; pattern: RegExp }[] = [
  { provider: 'teams', pattern: /https:\/\/teams\.(?:microsoft|live)\.com\/(?:l\/meetup-join|meet)\/[^\s<>"]+/i },
  { provider: 'zoom', pattern: /https:\/\/(?:[\w-]+\.)?zoom(?:gov)?\.(?:us|com)\/(?:j|my|w|s)\/[^\s<>"]+/i },
  { provider: 'google_meet', pattern: /https:\/\/meet\.google\.com\/[a-z]{3,4}-[a-z]{4}-[a-z]{3}[^\s<>"]*/i },
  {
    provider: 'other',
    pattern: /https:\/\/(?:[\w-]+\.webex\.com\/[^\s<>"]+|(?:global\.|app\.)?gotomeet(?:ing)?\.(?:com|me)\/[^\s<>"]+|meet\.jit\.si\/[^\s<>"]+|whereby\.com\/[^\s<>"]+|chime\.aws\/[^\s<>"]+|bluejeans\.com\/[^\s<>"]+)/i,
  },
];

function findMeetingLink(text: string | null): { provider: ConferenceProvider; url: string } | null {
  if (!text) return null;
  for (const { provider, pattern } of MEETING_LINKS) {
    const match = pattern.exec(text);
    if (match) return { provider, url: match[0].replace(/[).,;]+$/, '') };
  }
  return null;
}

function zoomMeetingId(url: string): string | null {
  return /\/(?:j|w|s)\/(\d{9,12})/.exec(url)?.[1] ?? null;
}

/**
 * The online meeting of an event: Google's X-GOOGLE-CONFERENCE, RFC 7986 CONFERENCE, Microsoft's Teams URL
 * property, or a recognised meeting link in URL, LOCATION or DESCRIPTION. A URL property that is no meeting link (a
 * holiday feed's "more information" page) is not a conference.
 */
export function mapConference(component: ICAL.Component): Conference | null {
  const google = textValue(component, 'x-google-conference');
  if (google) return { provider: findMeetingLink(google)?.provider ?? 'google_meet', url: google.trim(), id: null, status: 'ready' };
  const conference = textValue(component, 'conference');
  if (conference && /^https?:\/\//i.test(conference.trim())) {
    const url = conference.trim();
    const provider = findMeetingLink(url)?.provider ?? 'other';
    return { provider, url, id: provider === 'zoom' ? zoomMeetingId(url) : null, status: 'ready' };
  }
  const sources = ['x-microsoft-skypeteamsmeetingurl', 'url', 'location', 'description'];
  for (const name of sources) {
    const link = findMeetingLink(textValue(component, name));
    if (link) {
      return { provider: link.provider, url: link.url, id: link.provider === 'zoom' ? zoomMeetingId(link.url) : null, status: 'ready' };
    }
  }
  return null;
}
