/**
 * Hand-written iCalendar for the "other client" side of the CalDAV tests: independent of our serializer,
 * with the VTIMEZONE blocks a desktop client would write.
 */

/**
 * A time as a client writes it: an instant shown in a zone, a wall time (ms of that wall time read as UTC)
 * in a zone (`UTC` → a `Z` value), or an all-day date.
 */
export type IcsTime = { instant: string; zone: string } | { wall: number; zone: string } | { date: string };

export interface VeventSpec {
  uid: string;
  title: string;
  start: IcsTime;
  end: IcsTime;
  rrule?: string;
  exdates?: IcsTime[];
  recurrenceId?: IcsTime;
  status?: 'CONFIRMED' | 'TENTATIVE' | 'CANCELLED';
  transparent?: boolean;
  description?: string;
  sequence?: number;
  /** ATTENDEE lines (an organizer line is written for the first one). */
  attendees?: { email: string; partstat: 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'NEEDS-ACTION' }[];
}

const VTIMEZONES: Record<string, string[]> = {
  'Europe/Berlin': [
    'BEGIN:VTIMEZONE',
    'TZID:Europe/Berlin',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'TZNAME:CEST',
    'DTSTART:19700329T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'TZNAME:CET',
    'DTSTART:19701025T030000',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'America/New_York': [
    'BEGIN:VTIMEZONE',
    'TZID:America/New_York',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:-0500',
    'TZOFFSETTO:-0400',
    'TZNAME:EDT',
    'DTSTART:20070311T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:-0400',
    'TZOFFSETTO:-0500',
    'TZNAME:EST',
    'DTSTART:20071104T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ],
};

/** `2026-12-07T09:00:00Z` in `zone` as a wall time `20261207T100000`. */
export function wallTime(instant: string, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`;
}

function utcStamp(instant: string): string {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Wall-time ms → `20261207T100000`. */
export function formatWall(wall: number): string {
  return new Date(wall).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, '');
}

function timeLine(name: string, time: IcsTime): string {
  if ('date' in time) return `${name};VALUE=DATE:${time.date.replaceAll('-', '')}`;
  if ('wall' in time) return time.zone === 'UTC' ? `${name}:${formatWall(time.wall)}Z` : `${name};TZID=${time.zone}:${formatWall(time.wall)}`;
  if (time.zone === 'UTC') return `${name}:${utcStamp(time.instant)}`;
  return `${name};TZID=${time.zone}:${wallTime(time.instant, time.zone)}`;
}

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
}

export function veventLines(spec: VeventSpec): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${spec.uid}`, 'DTSTAMP:20260101T000000Z'];
  if (spec.recurrenceId) lines.push(timeLine('RECURRENCE-ID', spec.recurrenceId));
  lines.push(timeLine('DTSTART', spec.start), timeLine('DTEND', spec.end), `SUMMARY:${escape(spec.title)}`);
  if (spec.rrule) lines.push(`RRULE:${spec.rrule}`);
  for (const exdate of spec.exdates ?? []) lines.push(timeLine('EXDATE', exdate));
  if (spec.status) lines.push(`STATUS:${spec.status}`);
  if (spec.transparent) lines.push('TRANSP:TRANSPARENT');
  if (spec.description) lines.push(`DESCRIPTION:${escape(spec.description)}`);
  if (spec.attendees?.length) lines.push(`ORGANIZER:mailto:${spec.attendees[0]!.email}`);
  for (const attendee of spec.attendees ?? []) lines.push(`ATTENDEE;PARTSTAT=${attendee.partstat};ROLE=REQ-PARTICIPANT:mailto:${attendee.email}`);
  if (spec.sequence !== undefined) lines.push(`SEQUENCE:${spec.sequence}`);
  lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM', 'END:VEVENT');
  return lines;
}

/** One calendar object (one UID: a master or single plus its overrides) with the VTIMEZONEs it uses. */
export function buildIcs(vevents: readonly VeventSpec[]): string {
  const zones = new Set<string>();
  for (const spec of vevents) {
    for (const time of [spec.start, spec.end, spec.recurrenceId, ...(spec.exdates ?? [])]) {
      if (time && 'zone' in time && time.zone !== 'UTC') zones.add(time.zone);
    }
  }
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other Client//Test//EN', 'CALSCALE:GREGORIAN'];
  for (const zone of zones) {
    const block = VTIMEZONES[zone];
    if (!block) throw new Error(`no VTIMEZONE for ${zone} in the test client`);
    lines.push(...block);
  }
  for (const spec of vevents) lines.push(...veventLines(spec));
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}

/** A VTODO-only object (for mixed or task collections). */
export function todoIcs(uid: string, title: string): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Other Client//Test//EN', 'BEGIN:VTODO', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `SUMMARY:${title}`, 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
}
