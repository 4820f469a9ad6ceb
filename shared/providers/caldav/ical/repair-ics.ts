import { findValueColon } from '../../../recurrence/recurrence-lines.ts';
/**
 * Turns real-world iCalendar text into content lines ical.js accepts, fixing what producers get wrong
 * instead of rejecting the object:
 * - CRLF, LF or CR line ends; a leading BOM; blank lines between components;
 * - folding anywhere, including between a property name and its colon (KOrganizer);
 * - values written across raw, unfolded lines (Exchange descriptions): a line that is not a known property
 *   continues the previous value, joined with an escaped newline;
 * - a bare 8-digit DTSTART/DTEND/RECURRENCE-ID without VALUE=DATE (Synology);
 * - END lines that close nothing, and components left open at the end.
 */
export interface RepairedIcs {
  lines: string[];
  warnings: string[];
}

/** RFC 5545, 7986, 9073 and 9074 property names; anything else must start with X- to be a property. */
const KNOWN_NAMES = new Set(
  (
    'BEGIN END CALSCALE METHOD PRODID VERSION ATTACH CATEGORIES CLASS COMMENT DESCRIPTION GEO LOCATION ' +
    'PERCENT-COMPLETE PRIORITY RESOURCES STATUS SUMMARY COMPLETED DTEND DUE DTSTART DURATION FREEBUSY TRANSP ' +
    'TZID TZNAME TZOFFSETFROM TZOFFSETTO TZURL ATTENDEE CONTACT ORGANIZER RECURRENCE-ID RELATED-TO URL UID ' +
    'EXDATE EXRULE RDATE RRULE ACTION REPEAT TRIGGER CREATED DTSTAMP LAST-MODIFIED SEQUENCE REQUEST-STATUS ' +
    'NAME REFRESH-INTERVAL SOURCE COLOR IMAGE CONFERENCE TZUNTIL TZID-ALIAS-OF ACKNOWLEDGED PROXIMITY ' +
    'STRUCTURED-DATA STYLED-DESCRIPTION LOCATION-TYPE PARTICIPANT-TYPE CALENDAR-ADDRESS ESTIMATED-DURATION'
  ).split(' '),
);

const PROPERTY_START = /^([A-Za-z0-9-]+)[;:]/;
const DATE_PROPERTIES = new Set(['DTSTART', 'DTEND', 'RECURRENCE-ID', 'DUE']);

/**
 * The property name a line starts with, or null when the line is text that continues the previous value.
 * Known names and X- names always count; other names only when written in upper case and not followed by
 * `//` — so a stray `Passcode: 1234` or `https://…` line of a raw description stays text, while a newer
 * registered property such as `BUSYTYPE:` is still read as one.
 */
function propertyName(line: string): string | null {
  const match = PROPERTY_START.exec(line);
  if (!match) return null;
  const written = match[1] ?? '';
  const name = written.toUpperCase();
  if (KNOWN_NAMES.has(name) || name.startsWith('X-')) return name;
  const looksLikeUrl = line.slice(written.length, written.length + 3) === '://';
  return written === name && /[A-Z]/.test(name) && !looksLikeUrl ? name : null;
}

/** Unfolds and repairs `text`; returns null when it holds no iCalendar object at all. */
export function repairIcs(text: string): RepairedIcs | null {
  const warnings: string[] = [];
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  const unfolded: string[] = [];
  for (const line of physical) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && unfolded.length > 0) {
      unfolded[unfolded.length - 1] += line.slice(1);
    } else {
      unfolded.push(line);
    }
  }

  const joined: string[] = [];
  let pendingBlank = 0;
  let continued = false;
  for (const line of unfolded) {
    if (line.trim() === '') {
      pendingBlank++;
      continue;
    }
    if (propertyName(line) !== null) {
      joined.push(line);
      pendingBlank = 0;
      continue;
    }
    if (joined.length === 0) continue;
    joined[joined.length - 1] += '\\n'.repeat(pendingBlank + 1) + line.replaceAll('\\', '\\\\').replaceAll(';', '\\;').replaceAll(',', '\\,');
    pendingBlank = 0;
    continued = true;
  }
  if (continued) warnings.push('unfolded multi-line values were joined');

  if (!joined.some((line) => /^BEGIN:(VCALENDAR|VEVENT)\s*$/i.test(line))) return null;

  const out: string[] = [];
  const stack: string[] = [];
  const hasCalendar = joined.some((line) => /^BEGIN:VCALENDAR\s*$/i.test(line));
  if (!hasCalendar) {
    out.push('BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//repaired//EN');
    stack.push('VCALENDAR');
    warnings.push('components without VCALENDAR were wrapped in one');
  }
  for (const raw of joined) {
    if (isInvalidRule(raw)) {
      // RFC 5545 has no recovery for a malformed rule; like the reference expander we drop the rule and keep
      // the event (it then occurs once, at DTSTART) rather than lose the whole VEVENT.
      warnings.push(`dropped an invalid recurrence rule: ${raw.slice(0, 80)}`);
      continue;
    }
    const line = repairLine(raw);
    const begin = /^BEGIN:(.+)$/i.exec(line);
    const end = /^END:(.+)$/i.exec(line);
    if (begin) {
      stack.push((begin[1] ?? '').trim().toUpperCase());
    } else if (end) {
      const name = (end[1] ?? '').trim().toUpperCase();
      if (!stack.includes(name)) {
        warnings.push(`dropped END:${name} that closes nothing`);
        continue;
      }
      while (stack.length > 0 && stack[stack.length - 1] !== name) {
        const open = stack.pop();
        out.push(`END:${open}`);
        warnings.push(`closed unterminated ${open}`);
      }
      stack.pop();
    } else if (stack.length === 0) {
      continue; // content outside any component
    }
    out.push(line);
  }
  while (stack.length > 0) {
    const open = stack.pop();
    out.push(`END:${open}`);
    warnings.push(`closed unterminated ${open}`);
  }
  return { lines: out, warnings };
}

/** An RRULE/EXRULE whose value holds white space (`BYDAY=MO, TU`, Exchange CDO) is not a valid recur value. */
function isInvalidRule(line: string): boolean {
  const name = propertyName(line);
  if (name !== 'RRULE' && name !== 'EXRULE') return false;
  return /\s/.test(line.slice(line.indexOf(':') + 1).trim());
}

function repairLine(line: string): string {
  const name = propertyName(line);
  if (name !== null && DATE_PROPERTIES.has(name)) {
    const colon = findValueColon(line);
    if (colon < 0) return line;
    const head = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (/^\d{8}$/.test(value) && !/;VALUE=DATE(?:[;:]|$)/i.test(head)) return `${head};VALUE=DATE:${value}`;
  }
  return line;
}

