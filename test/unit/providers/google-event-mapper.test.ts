import { describe, expect, it } from 'vitest';
import { toGoogleBody, toProviderChange, type GoogleEventResource } from '../../../shared/providers/google/google-event-mapper.ts';
import { translateGoogleError } from '../../../shared/providers/google/google-errors.ts';

const upsert = (resource: GoogleEventResource, zone: string | null = 'Europe/Berlin') => {
  const change = toProviderChange(resource, zone);
  if (change?.type !== 'upsert') throw new Error(`expected an upsert, got ${JSON.stringify(change)}`);
  return change.event;
};

describe('Google event mapping', () => {
  it('maps a timed event with its zone, attendees, organizer and a Meet link', () => {
    const event = upsert({
      id: 'abc123',
      status: 'confirmed',
      etag: '"3351"',
      updated: '2026-11-20T10:11:12.345Z',
      iCalUID: 'abc123@google.com',
      summary: 'Design review',
      location: 'Room 4',
      start: { dateTime: '2026-12-01T15:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-01T16:00:00+01:00', timeZone: 'Europe/Berlin' },
      organizer: { email: 'ada@example.com', displayName: 'Ada', self: true },
      attendees: [
        { email: 'ada@example.com', responseStatus: 'accepted', organizer: true, self: true },
        { email: 'grace@example.com', displayName: 'Grace', responseStatus: 'tentative', optional: true },
        { email: 'linus@example.com', responseStatus: 'needsAction' },
        { email: 'ken@example.com', responseStatus: 'declined' },
      ],
      hangoutLink: 'https://meet.google.com/abc-defg-hij',
      conferenceData: { conferenceId: 'abc-defg-hij', conferenceSolution: { key: { type: 'hangoutsMeet' } }, entryPoints: [{ entryPointType: 'video', uri: 'https://meet.google.com/abc-defg-hij' }] },
    });
    expect(event).toMatchObject({
      providerEventId: 'abc123',
      kind: 'single',
      start: { dateTime: '2026-12-01T14:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-01T15:00:00Z', timeZone: 'Europe/Berlin' },
      status: 'confirmed',
      transparency: 'opaque',
      organizer: { email: 'ada@example.com', name: 'Ada', self: true },
      conference: { provider: 'google_meet', url: 'https://meet.google.com/abc-defg-hij', id: 'abc-defg-hij', status: 'ready' },
      etag: '"3351"',
      updated: '2026-11-20T10:11:12.345Z',
    });
    expect(event.attendees.map((a) => [a.email, a.responseStatus, a.optional, a.self])).toEqual([
      ['ada@example.com', 'accepted', false, true],
      ['grace@example.com', 'tentative', true, false],
      ['linus@example.com', 'needs_action', false, false],
      ['ken@example.com', 'declined', false, false],
    ]);
  });

  it('keeps all-day events as dates and reads a missing zone as the calendar zone', () => {
    expect(upsert({ id: 'd', start: { date: '2026-12-24' }, end: { date: '2026-12-27' }, transparency: 'transparent' })).toMatchObject({ start: { date: '2026-12-24' }, end: { date: '2026-12-27' }, transparency: 'transparent' });
    expect(upsert({ id: 't', start: { dateTime: '2026-12-01T09:00:00Z' }, end: { dateTime: '2026-12-01T09:30:00Z' } }, 'America/New_York').start).toEqual({ dateTime: '2026-12-01T09:00:00Z', timeZone: 'America/New_York' });
  });

  it('maps a series master, an exception and a cancelled instance; deletes a deleted event', () => {
    const master = upsert({ id: 'series', start: { dateTime: '2026-12-01T09:00:00-05:00', timeZone: 'America/New_York' }, end: { dateTime: '2026-12-01T09:30:00-05:00', timeZone: 'America/New_York' }, recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU', 'EXDATE;TZID=America/New_York:20261215T090000'] });
    expect(master).toMatchObject({ kind: 'master', recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=TU', 'EXDATE;TZID=America/New_York:20261215T090000'], recurringEventId: null });
    const moved = upsert({ id: 'series_20261208T140000Z', recurringEventId: 'series', originalStartTime: { dateTime: '2026-12-08T09:00:00-05:00', timeZone: 'America/New_York' }, start: { dateTime: '2026-12-08T11:00:00-05:00' }, end: { dateTime: '2026-12-08T11:30:00-05:00' } });
    expect(moved).toMatchObject({ kind: 'exception', recurringEventId: 'series', originalStart: { dateTime: '2026-12-08T14:00:00Z', timeZone: 'America/New_York' }, start: { dateTime: '2026-12-08T16:00:00Z' } });
    // A cancelled instance guarantees only id, recurringEventId and originalStartTime.
    const cancelled = upsert({ id: 'series_20261222T140000Z', status: 'cancelled', recurringEventId: 'series', originalStartTime: { dateTime: '2026-12-22T09:00:00-05:00', timeZone: 'America/New_York' } });
    expect(cancelled).toMatchObject({ kind: 'exception', status: 'cancelled', start: { dateTime: '2026-12-22T14:00:00Z' }, end: { dateTime: '2026-12-22T14:00:00Z' } });
    expect(toProviderChange({ id: 'gone', status: 'cancelled' }, null)).toEqual({ type: 'delete', providerEventId: 'gone' });
  });

  it('marks a Meet that is still being created as pending, and recognises Zoom links', () => {
    expect(upsert({ id: 'p', start: { date: '2026-12-01' }, end: { date: '2026-12-02' }, conferenceData: { createRequest: { status: { statusCode: 'pending' } }, conferenceSolution: { key: { type: 'hangoutsMeet' } } } }).conference).toEqual({ provider: 'google_meet', url: null, id: null, status: 'pending' });
    // What Google answers right after a create request: only the request says it is a Meet.
    expect(upsert({ id: 'q', start: { date: '2026-12-01' }, end: { date: '2026-12-02' }, conferenceData: { createRequest: { conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'pending' } } } }).conference).toEqual({ provider: 'google_meet', url: null, id: null, status: 'pending' });
    expect(upsert({ id: 'z', start: { date: '2026-12-01' }, end: { date: '2026-12-02' }, conferenceData: { conferenceSolution: { key: { type: 'addOn' } }, entryPoints: [{ entryPointType: 'video', uri: 'https://us02web.zoom.us/j/123' }] } }).conference?.provider).toBe('zoom');
  });

  it('writes drafts as PATCH bodies that can switch between all-day and timed', () => {
    expect(toGoogleBody({ title: 'x', start: { date: '2026-12-01' }, end: { date: '2026-12-02' } }, null)).toMatchObject({ start: { date: '2026-12-01', dateTime: null }, end: { date: '2026-12-02', dateTime: null } });
    const timed = toGoogleBody({ title: 'x', start: { dateTime: '2026-12-01T09:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-01T10:00:00Z', timeZone: 'UTC' }, conference: { provider: 'google_meet' } }, 'req-1');
    expect(timed).toMatchObject({ start: { dateTime: '2026-12-01T09:00:00Z', date: null }, conferenceData: { createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' } } } });
  });
});

describe('Google error translation', () => {
  const gaxios = (status: number, reason?: string) => ({ response: { status, data: { error: { errors: reason ? [{ reason }] : [], message: 'x' } } } });
  it.each([
    [410, 'fullSyncRequired', 'provider.cursor_invalid', false],
    [410, 'deleted', 'provider.not_found', false],
    [403, 'rateLimitExceeded', 'provider.rate_limited', true],
    [403, 'userRateLimitExceeded', 'provider.rate_limited', true],
    [429, 'rateLimitExceeded', 'provider.rate_limited', true],
    [403, 'quotaExceeded', 'provider.rate_limited', true],
    [403, 'forbidden', 'provider.input_invalid', false],
    [412, 'conditionNotMet', 'provider.precondition_failed', false],
    [404, 'notFound', 'provider.not_found', false],
    [500, 'backendError', 'provider.unavailable', true],
    [503, undefined, 'provider.unavailable', true],
  ] as const)('%i %s → %s', (status, reason, code, retryable) => {
    const error = translateGoogleError(gaxios(status, reason), 'events.list');
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    if (code === 'provider.rate_limited') expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('backs off longer on repeated rate limits, within the 15-minute SQS bound', () => {
    const first = translateGoogleError(gaxios(429, 'rateLimitExceeded'), 'x', 0).retryAfterMs!;
    const later = translateGoogleError(gaxios(429, 'rateLimitExceeded'), 'x', 6).retryAfterMs!;
    expect(first).toBeLessThanOrEqual(30_000);
    expect(later).toBeGreaterThan(first);
    expect(later).toBeLessThanOrEqual(900_000);
    expect(translateGoogleError(new Error('socket hang up'), 'x').code).toBe('provider.unavailable');
  });
});
