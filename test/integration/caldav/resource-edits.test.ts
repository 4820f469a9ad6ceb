import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { decodeCursor, decodePageState, encodeCursor } from '../../../shared/providers/caldav/caldav-cursor.ts';
import { davPrecondition, retryAfterMs, translateCaldavFailure } from '../../../shared/providers/caldav/caldav-errors.ts';
import { applyDraft, cancelOccurrence, overrideFromMaster } from '../../../shared/providers/caldav/caldav-event-edits.ts';
import { patchResource } from '../../../shared/providers/caldav/caldav-patch.ts';
import { recurrenceIdOfEventId, resourceNameFor, uidOfEventId } from '../../../shared/providers/caldav/caldav-resources.ts';
import { parseCalendarResource } from '../../../shared/providers/caldav/ical/index.ts';

/** The pure parts of the CalDAV adapter (no server): read-modify-write patching, ids, cursors, error mapping. */

const APPLE_OBJECT = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Apple Inc.//macOS 15//EN',
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:STANDARD',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'END:STANDARD',
  'BEGIN:DAYLIGHT',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'END:DAYLIGHT',
  'END:VTIMEZONE',
  'BEGIN:VEVENT',
  'UID:apple-1',
  'DTSTAMP:20260101T000000Z',
  'DTSTART;TZID=Europe/Berlin:20261207T100000',
  'DTEND;TZID=Europe/Berlin:20261207T110000',
  'RRULE:FREQ=WEEKLY;COUNT=4',
  'SUMMARY:Planning',
  'CATEGORIES:Work',
  'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC',
  'SEQUENCE:2',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'DESCRIPTION:Reminder',
  'TRIGGER:-PT15M',
  'END:VALARM',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:apple-1',
  'DTSTAMP:20260101T000000Z',
  'RECURRENCE-ID;TZID=Europe/Berlin:20261214T100000',
  'DTSTART;TZID=Europe/Berlin:20261214T120000',
  'DTEND;TZID=Europe/Berlin:20261214T130000',
  'SUMMARY:Planning (late)',
  'X-MOZ-GENERATION:3',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const read = (ics: string) => parseCalendarResource(ics, { resourceId: '/u/c/apple.ics', etag: '"1"', calendarTimeZone: null }).events;
const NOW = new Date('2026-11-23T12:00:00Z');

describe('patchResource (read-modify-write that keeps other clients’ data)', () => {
  it('changes only the owned properties of the edited VEVENT and bumps its SEQUENCE', () => {
    const [master] = read(APPLE_OBJECT);
    const edited = applyDraft(master!, { title: 'Planning v2', start: master!.start, end: master!.end, location: 'Room 4' }, NOW);
    const patched = patchResource(APPLE_OBJECT, { upsert: [edited], remove: [], now: NOW })!;
    expect(patched).toContain('CATEGORIES:Work');
    expect(patched).toContain('X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC');
    expect(patched).toContain('X-MOZ-GENERATION:3');
    expect(patched.match(/BEGIN:VALARM/g)).toHaveLength(1);
    expect(patched).toMatch(/SEQUENCE:3/);
    const events = read(patched);
    expect(events.find((e) => e.kind === 'master')).toMatchObject({ title: 'Planning v2', location: 'Room 4', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'] });
    expect(events.find((e) => e.kind === 'exception')).toMatchObject({ title: 'Planning (late)', providerEventId: 'apple-1#20261214T090000Z' });
  });

  it('adds an override for an occurrence that had none, and adds the VTIMEZONE its zone needs', () => {
    const [master] = read(APPLE_OBJECT);
    const override = overrideFromMaster(master!, 'apple-1#20261221T090000Z', '20261221T090000Z');
    expect(override).toMatchObject({ kind: 'exception', originalStart: { dateTime: '2026-12-21T09:00:00Z', timeZone: 'Europe/Berlin' }, start: { dateTime: '2026-12-21T09:00:00Z' }, end: { dateTime: '2026-12-21T10:00:00Z' } });
    const moved = applyDraft(override, { title: 'Planning in New York', start: { dateTime: '2026-12-21T15:00:00Z', timeZone: 'America/New_York' }, end: { dateTime: '2026-12-21T16:00:00Z', timeZone: 'America/New_York' } }, NOW);
    const patched = patchResource(APPLE_OBJECT, { upsert: [moved], remove: [], now: NOW })!;
    expect(patched).toContain('TZID:America/New_York');
    const events = read(patched);
    expect(events.map((e) => e.providerEventId).sort()).toEqual(['apple-1', 'apple-1#20261214T090000Z', 'apple-1#20261221T090000Z']);
    expect(events.find((e) => e.providerEventId === 'apple-1#20261221T090000Z')).toMatchObject({ title: 'Planning in New York', start: { dateTime: '2026-12-21T15:00:00Z', timeZone: 'America/New_York' } });
  });

  it('cancels an occurrence with an EXDATE and drops its override', () => {
    const [master] = read(APPLE_OBJECT);
    const patched = patchResource(APPLE_OBJECT, { upsert: [cancelOccurrence(master!, '20261214T090000Z', NOW)], remove: ['apple-1#20261214T090000Z'], now: NOW })!;
    const events = read(patched);
    expect(events).toHaveLength(1);
    expect(events[0]!.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE:20261214T090000Z']);
    expect(patched).toContain('CATEGORIES:Work');
  });

  it('gives up (null) on an object that does not parse, so the caller writes it from the model', () => {
    expect(patchResource('not icalendar at all', { upsert: [], remove: [], now: NOW })).toBeNull();
  });
});

describe('event ids, names and drafts', () => {
  it('splits override ids only at a RECURRENCE-ID suffix', () => {
    expect(uidOfEventId('abc#20261214T090000Z')).toBe('abc');
    expect(uidOfEventId('abc#20261214')).toBe('abc');
    expect(recurrenceIdOfEventId('abc#20261214')).toBe('20261214');
    expect(uidOfEventId('weird#uid')).toBe('weird#uid');
    expect(recurrenceIdOfEventId('weird#uid')).toBeNull();
  });

  it('names resources with a path-safe UID', () => {
    expect(resourceNameFor('a/b c@d')).toBe('a%2Fb%20c%40d.ics');
    expect(resourceNameFor("it's(1)")).toBe('it%27s%281%29.ics');
  });

  it('applies drafts with patch semantics: absent keeps, null clears, recurrence turns a single into a series', () => {
    const [master] = read(APPLE_OBJECT);
    const single = { ...master!, kind: 'single' as const, recurrence: null, description: 'keep me', location: 'drop me' };
    const changed = applyDraft(single, { title: 'x', start: single.start, end: single.end, location: null, recurrence: ['RRULE:FREQ=DAILY;COUNT=2'] }, NOW);
    expect(changed).toMatchObject({ kind: 'master', description: 'keep me', location: null, recurrence: ['RRULE:FREQ=DAILY;COUNT=2'], updated: '2026-11-23T12:00:00Z' });
    expect(applyDraft(changed, { title: 'y', start: single.start, end: single.end, recurrence: [] }, NOW).kind).toBe('single');
  });
});

describe('cursors and error translation', () => {
  it('round-trips cursors and reads anything else as an invalid cursor (a full resync follows)', () => {
    const cursor = encodeCursor({ v: 1, mode: 'sync', token: 'http://radicale.org/ns/sync/abc' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ v: 1, mode: 'sync', token: 'http://radicale.org/ns/sync/abc' });
    for (const bad of ['%%%', Buffer.from('{"v":2}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'provider.cursor_invalid' }));
    }
    expect(() => decodePageState(Buffer.from('{"v":1,"mode":"sync"}').toString('base64url'))).toThrow(expect.objectContaining({ code: 'provider.input_invalid' }));
  });

  it('maps statuses to provider codes', () => {
    const body403 = '<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>';
    expect(davPrecondition(body403)).toBe('valid-sync-token');
    const code = (status: number | null, body = '', retryAfter: string | null = null) => translateCaldavFailure({ status, body, retryAfter }, 'x').code;
    expect(code(403, body403)).toBe('provider.cursor_invalid');
    expect(code(401)).toBe('provider.auth_revoked');
    expect(code(403)).toBe('provider.auth_revoked');
    expect(code(403, '<error xmlns="DAV:"><supported-report/></error>')).toBe('provider.input_invalid');
    expect(code(412)).toBe('provider.precondition_failed');
    expect(code(404)).toBe('provider.not_found');
    expect(code(503, '', '10')).toBe('provider.rate_limited');
    expect(code(503)).toBe('provider.unavailable');
    expect(code(null)).toBe('provider.unavailable');
    expect(code(501)).toBe('provider.input_invalid');
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).toBe(60_000);
    expect(isAppError(translateCaldavFailure({ status: 401, body: '', retryAfter: null }, 'x'), 'provider.')).toBe(true);
  });
});
