/**
 * A minimal iCalendar (RFC 5545) invitation for one booking: METHOD REQUEST for a new or moved booking (the
 * same UID with a higher SEQUENCE replaces the earlier one in the invitee's calendar), METHOD CANCEL to
 * remove it. Written by hand: the few properties calendar clients need, escaped and folded per the RFC.
 */
export interface BookingInvitation {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  /** Raised on every change so clients apply it (e.g. seconds since the booking was created). */
  sequence: number;
  start: Date;
  end: Date;
  stamp: Date;
  summary: string;
  description?: string;
  /** Usually the video link. */
  location?: string;
  organizer: { email: string; name?: string };
  attendees: { email: string; name?: string }[];
}

const escapeText = (value: string): string => value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
const utc = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const quoted = (value: string): string => `"${value.replace(/["\r\n]/g, '')}"`;

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end -= 1;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74; // continuation lines begin with a space
  }
  return parts.join('\r\n ');
}

export function bookingIcs(invite: BookingInvitation): string {
  const person = (role: 'ORGANIZER' | 'ATTENDEE', who: { email: string; name?: string }): string => {
    const cn = who.name ? `;CN=${quoted(who.name)}` : '';
    const extra = role === 'ATTENDEE' ? ';ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE' : '';
    return `${role}${cn}${extra}:mailto:${who.email}`;
  };
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//calendar-integrations//notifications//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${invite.method}`,
    'BEGIN:VEVENT',
    `UID:${invite.uid}`,
    `SEQUENCE:${invite.sequence}`,
    `DTSTAMP:${utc(invite.stamp)}`,
    `DTSTART:${utc(invite.start)}`,
    `DTEND:${utc(invite.end)}`,
    `SUMMARY:${escapeText(invite.summary)}`,
    ...(invite.description ? [`DESCRIPTION:${escapeText(invite.description)}`] : []),
    ...(invite.location ? [`LOCATION:${escapeText(invite.location)}`] : []),
    person('ORGANIZER', invite.organizer),
    ...invite.attendees.map((attendee) => person('ATTENDEE', attendee)),
    `STATUS:${invite.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
