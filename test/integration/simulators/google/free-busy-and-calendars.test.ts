import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator } from '../../../simulators/google/index.ts';
import { ALICE, manualClock, startWithAlice, timed, type ErrorJson } from './helpers.ts';

// freeBusy (providers.md item 20) and the calendar list.
let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup() {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now });
  sim = started.sim;
  return started;
}

interface FreeBusyJson {
  calendars: Record<string, { busy: { start: string; end: string }[]; errors?: { domain: string; reason: string }[] }>;
}

describe('freeBusy', () => {
  it('merges and clips busy blocks, expands series, and skips free, cancelled and unknown ones', async () => {
    const { sim: google, api } = await setup();
    google.insertEvent(ALICE, { summary: 'a', ...timed('2030-01-07T08:00:00Z', '2030-01-07T10:00:00Z') });
    google.insertEvent(ALICE, { summary: 'overlaps a', ...timed('2030-01-07T09:30:00Z', '2030-01-07T11:00:00Z') });
    google.insertEvent(ALICE, { summary: 'free', transparency: 'transparent', ...timed('2030-01-07T13:00:00Z', '2030-01-07T14:00:00Z') });
    const series = google.createRecurringEvent(ALICE, { summary: 'daily', ...timed('2030-01-07T15:00:00', '2030-01-07T15:30:00', 'UTC'), recurrence: ['RRULE:FREQ=DAILY;COUNT=3'] });
    google.cancelInstance(ALICE, series.id, '2030-01-08T15:00:00Z');

    const result = await api<FreeBusyJson>('POST', '/calendar/v3/freeBusy', {
      timeMin: '2030-01-07T09:00:00Z',
      timeMax: '2030-01-10T00:00:00Z',
      items: [{ id: ALICE }, { id: 'nobody@example.com' }],
    });

    expect(result.status).toBe(200);
    expect(result.body.calendars[ALICE]?.busy).toEqual([
      { start: '2030-01-07T09:00:00Z', end: '2030-01-07T11:00:00Z' },
      { start: '2030-01-07T15:00:00Z', end: '2030-01-07T15:30:00Z' },
      { start: '2030-01-09T15:00:00Z', end: '2030-01-09T15:30:00Z' },
    ]);
    expect(result.body.calendars['nobody@example.com']).toEqual({ errors: [{ domain: 'global', reason: 'notFound' }], busy: [] });
  });

  it('answers in the requested time zone', async () => {
    const { sim: google, api } = await setup();
    google.insertEvent(ALICE, { summary: 'a', ...timed('2030-01-07T08:00:00Z', '2030-01-07T09:00:00Z') });

    const result = await api<FreeBusyJson>('POST', '/calendar/v3/freeBusy', { timeMin: '2030-01-07T00:00:00Z', timeMax: '2030-01-08T00:00:00Z', timeZone: 'Europe/Berlin', items: [{ id: ALICE }] });

    expect(result.body.calendars[ALICE]?.busy).toEqual([{ start: '2030-01-07T09:00:00+01:00', end: '2030-01-07T10:00:00+01:00' }]);
  });

  it('refuses more than 50 calendars and ranges over 90 days', async () => {
    const { api } = await setup();

    const many = await api<ErrorJson>('POST', '/calendar/v3/freeBusy', { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-01-02T00:00:00Z', items: Array.from({ length: 51 }, (_, i) => ({ id: `c${i}@example.com` })) });
    const long = await api<ErrorJson>('POST', '/calendar/v3/freeBusy', { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-04-02T00:00:01Z', items: [{ id: ALICE }] });
    const ninety = await api('POST', '/calendar/v3/freeBusy', { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-04-01T00:00:00Z', items: [{ id: ALICE }] });

    expect(many.status).toBe(400);
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe('The requested time range is too long.');
    expect(ninety.status).toBe(200);
  });
});

describe('calendar list', () => {
  interface ListJson {
    items: { id: string; primary?: boolean; accessRole: string; timeZone: string }[];
    nextPageToken?: string;
  }

  it('pages the caller’s calendars, primary first, and hides other users’ calendars', async () => {
    const { sim: google, api } = await setup();
    const work = google.createCalendar(ALICE, { summary: 'Work', timeZone: 'Europe/Berlin' });
    const home = google.createCalendar(ALICE, { summary: 'Home' });
    google.createUser({ email: 'bob@example.com' });

    const first = await api<ListJson>('GET', '/calendar/v3/users/me/calendarList?maxResults=2');
    const second = await api<ListJson>('GET', `/calendar/v3/users/me/calendarList?maxResults=2&pageToken=${first.body.nextPageToken}`);
    const single = await api<{ id: string; timeZone: string }>('GET', `/calendar/v3/users/me/calendarList/${encodeURIComponent(work.id)}`);
    const others = await api('GET', `/calendar/v3/users/me/calendarList/${encodeURIComponent('bob@example.com')}`);
    const primary = await api<{ id: string }>('GET', '/calendar/v3/calendars/primary');

    const ids = [...first.body.items, ...second.body.items].map((c) => c.id);
    expect(ids[0]).toBe(ALICE);
    expect(ids.sort()).toEqual([ALICE, work.id, home.id].sort());
    expect(first.body.items[0]).toMatchObject({ primary: true, accessRole: 'owner' });
    expect(second.body.nextPageToken).toBeUndefined();
    expect(single.body).toMatchObject({ id: work.id, timeZone: 'Europe/Berlin' });
    expect(others.status).toBe(404);
    expect(primary.body.id).toBe(ALICE);
  });
});
