import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator } from '../../../simulators/google/index.ts';
import { ALICE, eventsPath, manualClock, startWithAlice, timed, type ApiResult, type ErrorJson, type EventsPageJson } from './helpers.ts';

// events.list semantics of providers.md items 1–8 over real HTTP.
let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup(options: Parameters<typeof startWithAlice>[0] = {}) {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now, ...options });
  sim = started.sim;
  return { ...started, clock };
}

function insertHours(target: GoogleSimulator, count: number, summary = 'event'): string[] {
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.parse('2030-01-02T00:00:00Z') + i * 3_600_000).toISOString();
    const end = new Date(Date.parse(start) + 1_800_000).toISOString();
    return target.insertEvent(ALICE, { summary: `${summary} ${i}`, ...timed(start, end) }).id;
  });
}

type Api = Awaited<ReturnType<typeof startWithAlice>>['api'];

/** Pages through one round (bounded), returning every page. */
async function round(api: Api, query: Record<string, string | number | boolean>): Promise<ApiResult<EventsPageJson>[]> {
  const pages: ApiResult<EventsPageJson>[] = [];
  let pageToken: string | undefined;
  for (let i = 0; i < 500; i += 1) {
    const page = await api<EventsPageJson>('GET', eventsPath(ALICE, { ...query, ...(pageToken ? { pageToken } : {}) }));
    expect(page.status).toBe(200);
    pages.push(page);
    pageToken = page.body.nextPageToken;
    if (!pageToken) return pages;
  }
  throw new Error('round did not end within 500 pages');
}

describe('full listing', () => {
  it('pages carry nextPageToken until the last, which alone carries nextSyncToken', async () => {
    const { sim: google, api } = await setup();
    const ids = insertHours(google, 7);

    const pages = await round(api, { maxResults: 3 });

    expect(pages.map((p) => p.body.items.length)).toEqual([3, 3, 1]);
    for (const page of pages.slice(0, -1)) {
      expect(page.body.nextPageToken).toBeTypeOf('string');
      expect(page.body.nextSyncToken).toBeUndefined();
    }
    expect(pages.at(-1)?.body.nextSyncToken).toBeTypeOf('string');
    expect(pages.at(-1)?.body.nextPageToken).toBeUndefined();
    const listed = pages.flatMap((p) => p.body.items.map((e) => e.id));
    expect(listed.sort()).toEqual([...ids].sort());
  });

  it('defaults to 250 per page and caps maxResults at 2500', async () => {
    const { sim: google, api } = await setup();
    insertHours(google, 2_600);

    const byDefault = await api<EventsPageJson>('GET', eventsPath(ALICE));
    const capped = await api<EventsPageJson>('GET', eventsPath(ALICE, { maxResults: 9_999 }));

    expect(byDefault.body.items).toHaveLength(250);
    expect(capped.body.items).toHaveLength(2_500);
    expect(capped.body.nextPageToken).toBeTypeOf('string');
  });

  it('a full sync of 10,000 events takes exactly ceil(N/2500) list calls at maxResults=2500', async () => {
    const { sim: google, api } = await setup();
    insertHours(google, 10_000);
    google.stats.reset();

    const pages = await round(api, { maxResults: 2_500 });

    expect(google.stats.count('events.list')).toBe(4);
    expect(pages.reduce((sum, p) => sum + p.body.items.length, 0)).toBe(10_000);
  });

  it('applies the overlap rule: timeMin bounds the end, timeMax the start, both exclusive', async () => {
    const { sim: google, api } = await setup();
    const endsAtMin = google.insertEvent(ALICE, { summary: 'ends at timeMin', ...timed('2030-01-05T08:00:00Z', '2030-01-05T09:00:00Z') }).id;
    const startsAtMax = google.insertEvent(ALICE, { summary: 'starts at timeMax', ...timed('2030-01-05T17:00:00Z', '2030-01-05T18:00:00Z') }).id;
    const spanning = google.insertEvent(ALICE, { summary: 'spans the window', ...timed('2030-01-04T00:00:00Z', '2030-01-06T00:00:00Z') }).id;
    const inside = google.insertEvent(ALICE, { summary: 'inside', ...timed('2030-01-05T09:00:00+01:00', '2030-01-05T12:00:00+01:00') }).id;
    const allDay = google.insertEvent(ALICE, { summary: 'all day', start: { date: '2030-01-05' }, end: { date: '2030-01-06' } }).id;
    const dayBefore = google.insertEvent(ALICE, { summary: 'day before', start: { date: '2030-01-04' }, end: { date: '2030-01-05' } }).id;

    const page = await api<EventsPageJson>('GET', eventsPath(ALICE, { timeMin: '2030-01-05T09:00:00Z', timeMax: '2030-01-05T17:00:00Z' }));

    const ids = page.body.items.map((e) => e.id);
    expect(ids.sort()).toEqual([spanning, inside, allDay].sort());
    expect(ids).not.toContain(endsAtMin);
    expect(ids).not.toContain(startsAtMax);
    expect(ids).not.toContain(dayBefore);
  });

  it('refuses bounds without an offset and an empty range', async () => {
    const { api } = await setup();

    const noOffset = await api<ErrorJson>('GET', eventsPath(ALICE, { timeMin: '2030-01-05T09:00:00' }));
    const empty = await api<ErrorJson>('GET', eventsPath(ALICE, { timeMin: '2030-01-05T09:00:00Z', timeMax: '2030-01-05T09:00:00Z' }));

    expect(noOffset.status).toBe(400);
    expect(empty.status).toBe(400);
    expect(empty.body.error.errors[0]?.reason).toBe('timeRangeEmpty');
  });

  it('hides deleted events unless showDeleted=true, which lists them as tombstones', async () => {
    const { sim: google, api } = await setup();
    const [kept, removed] = insertHours(google, 2);
    google.deleteEvent(ALICE, removed as string);

    const hidden = await api<EventsPageJson>('GET', eventsPath(ALICE));
    const shown = await api<EventsPageJson>('GET', eventsPath(ALICE, { showDeleted: true }));

    expect(hidden.body.items.map((e) => e.id)).toEqual([kept]);
    expect(shown.body.items.find((e) => e.id === removed)).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: removed, status: 'cancelled' });
  });

  it('filters by q, iCalUID, updatedMin and extended properties', async () => {
    const { sim: google, api, clock } = await setup();
    const tagged = google.insertEvent(ALICE, { summary: 'Budget review', extendedProperties: { private: { origin: 'ours' } }, ...timed('2030-01-03T10:00:00Z', '2030-01-03T11:00:00Z') });
    clock.advance(60_000);
    const later = google.insertEvent(ALICE, { summary: 'Lunch', ...timed('2030-01-03T12:00:00Z', '2030-01-03T13:00:00Z') });

    const byText = await api<EventsPageJson>('GET', eventsPath(ALICE, { q: 'budget' }));
    const byUid = await api<EventsPageJson>('GET', eventsPath(ALICE, { iCalUID: later.iCalUID as string }));
    const byUpdated = await api<EventsPageJson>('GET', eventsPath(ALICE, { updatedMin: '2030-01-01T00:00:30Z' }));
    const byProperty = await api<EventsPageJson>('GET', eventsPath(ALICE, { privateExtendedProperty: 'origin=ours' }));

    expect(byText.body.items.map((e) => e.id)).toEqual([tagged.id]);
    expect(byUid.body.items.map((e) => e.id)).toEqual([later.id]);
    expect(byUpdated.body.items.map((e) => e.id)).toEqual([later.id]);
    expect(byProperty.body.items.map((e) => e.id)).toEqual([tagged.id]);
  });

  it('orderBy=startTime needs singleEvents=true', async () => {
    const { sim: google, api } = await setup();
    google.insertEvent(ALICE, { summary: 'second', ...timed('2030-01-03T12:00:00Z', '2030-01-03T13:00:00Z') });
    google.insertEvent(ALICE, { summary: 'first', ...timed('2030-01-03T10:00:00Z', '2030-01-03T11:00:00Z') });

    const refused = await api<ErrorJson>('GET', eventsPath(ALICE, { orderBy: 'startTime' }));
    const ordered = await api<EventsPageJson>('GET', eventsPath(ALICE, { orderBy: 'startTime', singleEvents: true }));

    expect(refused.status).toBe(400);
    expect(ordered.body.items.map((e) => e.summary)).toEqual(['first', 'second']);
  });

  it('random paging hands out short and empty pages while more follow, and loses nothing', async () => {
    const { sim: google, api } = await setup({ paging: 'random', seed: 7 });
    const ids = insertHours(google, 60);

    const pages = await round(api, { maxResults: 10 });

    const withMore = pages.filter((p) => p.body.nextPageToken);
    expect(withMore.some((p) => p.body.items.length < 10)).toBe(true);
    expect(withMore.some((p) => p.body.items.length === 0)).toBe(true);
    const listed = pages.flatMap((p) => p.body.items.map((e) => e.id));
    expect(listed.sort()).toEqual([...ids].sort());
  });

  it('refuses a page token used with a different query', async () => {
    const { sim: google, api } = await setup();
    insertHours(google, 5);
    const first = await api<EventsPageJson>('GET', eventsPath(ALICE, { maxResults: 2 }));

    const mixed = await api<ErrorJson>('GET', eventsPath(ALICE, { maxResults: 2, showDeleted: true, pageToken: first.body.nextPageToken as string }));

    expect(mixed.status).toBe(400);
  });
});

describe('incremental sync', () => {
  async function fullSync(api: Api, query: Record<string, string | number | boolean> = {}): Promise<string> {
    const pages = await round(api, query);
    return pages.at(-1)?.body.nextSyncToken as string;
  }

  it('returns exactly the events changed since the token, each once in its latest state, deletions as tombstones', async () => {
    const { sim: google, api } = await setup();
    const [updated, removed, untouched] = insertHours(google, 3) as [string, string, string];
    const token = await fullSync(api);
    google.patchEvent(ALICE, updated, { summary: 'first edit' });
    google.patchEvent(ALICE, updated, { summary: 'second edit' });
    google.deleteEvent(ALICE, removed);
    const created = google.insertEvent(ALICE, { summary: 'new', ...timed('2030-02-01T10:00:00Z', '2030-02-01T11:00:00Z') }).id;

    const pages = await round(api, { syncToken: token });

    const items = pages.flatMap((p) => p.body.items);
    expect(items.map((e) => e.id).sort()).toEqual([updated, removed, created].sort());
    expect(items.map((e) => e.id)).not.toContain(untouched);
    expect(items.find((e) => e.id === updated)?.summary).toBe('second edit');
    expect(items.find((e) => e.id === removed)).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: removed, status: 'cancelled' });
    expect(pages.at(-1)?.body.nextSyncToken).toBeTypeOf('string');
  });

  it('an unchanged calendar answers one call with no items and a sync token', async () => {
    const { sim: google, api } = await setup();
    insertHours(google, 3);
    const token = await fullSync(api);
    google.stats.reset();

    const pages = await round(api, { syncToken: token });

    expect(google.stats.count('events.list')).toBe(1);
    expect(pages[0]?.body.items).toEqual([]);
    expect(pages[0]?.body.nextSyncToken).toBeTypeOf('string');
  });

  it('pages an incremental round by repeating the syncToken with pageToken; the token comes last', async () => {
    const { sim: google, api } = await setup();
    const ids = insertHours(google, 5);
    const token = await fullSync(api);
    for (const id of ids) google.patchEvent(ALICE, id, { summary: `changed ${id}` });

    const pages = await round(api, { syncToken: token, maxResults: 2 });
    const withoutSyncToken = await api<ErrorJson>('GET', eventsPath(ALICE, { maxResults: 2, pageToken: pages[0]?.body.nextPageToken as string }));

    expect(pages.map((p) => p.body.items.length)).toEqual([2, 2, 1]);
    expect(pages.slice(0, -1).every((p) => p.body.nextSyncToken === undefined)).toBe(true);
    expect(pages.flatMap((p) => p.body.items.map((e) => e.id)).sort()).toEqual([...ids].sort());
    expect(withoutSyncToken.status).toBe(400);
  });

  it.each(['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'])(
    'refuses %s together with syncToken (400)',
    async (name) => {
      const { api } = await setup();
      const token = await fullSync(api);
      const values: Record<string, string> = {
        iCalUID: 'x@google.com',
        orderBy: 'updated',
        privateExtendedProperty: 'a=b',
        q: 'x',
        sharedExtendedProperty: 'a=b',
        timeMin: '2030-01-01T00:00:00Z',
        timeMax: '2030-02-01T00:00:00Z',
        updatedMin: '2030-01-01T00:00:00Z',
      };

      const result = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: token, [name]: values[name] as string }));

      expect(result.status).toBe(400);
      expect(result.body.error.errors[0]?.location).toBe(name);
    },
  );

  it('refuses showDeleted=false with a sync token (deletions always come)', async () => {
    const { api } = await setup();
    const token = await fullSync(api);

    const result = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: token, showDeleted: false }));

    expect(result.status).toBe(400);
  });

  it('answers 410 fullSyncRequired in Google’s shape after invalidation, for garbage and for another calendar’s token', async () => {
    const { sim: google, api } = await setup();
    const other = google.createCalendar(ALICE, { summary: 'Other' });
    const token = await fullSync(api);
    const otherToken = (await api<EventsPageJson>('GET', eventsPath(other.id))).body.nextSyncToken as string;

    google.invalidateSyncTokens(ALICE);
    const invalidated = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: token }));
    const garbage = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: 'not-a-token' }));
    const foreign = await api<ErrorJson>('GET', eventsPath(ALICE, { syncToken: otherToken }));
    const otherStillValid = await api<EventsPageJson>('GET', eventsPath(other.id, { syncToken: otherToken }));
    const fresh = await fullSync(api);
    const afterResync = await api<EventsPageJson>('GET', eventsPath(ALICE, { syncToken: fresh }));

    expect(invalidated.status).toBe(410);
    expect(invalidated.body).toEqual({
      error: {
        errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.', locationType: 'parameter', location: 'syncToken' }],
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
      },
    });
    expect(garbage.status).toBe(410);
    expect(foreign.status).toBe(410);
    expect(otherStillValid.status).toBe(200);
    expect(afterResync.status).toBe(200);
  });

  it('reports changes outside the initial window (the window belongs to the full sync only)', async () => {
    const { sim: google, api } = await setup();
    const token = await fullSync(api, { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-02-01T00:00:00Z' });
    const far = google.insertEvent(ALICE, { summary: 'next year', ...timed('2031-06-01T10:00:00Z', '2031-06-01T11:00:00Z') }).id;

    const pages = await round(api, { syncToken: token });

    expect(pages.flatMap((p) => p.body.items.map((e) => e.id))).toEqual([far]);
  });

  it('changes made while a full listing pages arrive in the next round', async () => {
    const { sim: google, api } = await setup();
    const ids = insertHours(google, 6);
    const first = await api<EventsPageJson>('GET', eventsPath(ALICE, { maxResults: 2 }));
    const seen = first.body.items.map((e) => e.id);
    const notYetSeen = ids.find((id) => !seen.includes(id)) as string;
    google.patchEvent(ALICE, seen[0] as string, { summary: 'edited mid-listing' });
    google.deleteEvent(ALICE, notYetSeen);
    const added = google.insertEvent(ALICE, { summary: 'added mid-listing', ...timed('2030-01-09T10:00:00Z', '2030-01-09T11:00:00Z') }).id;
    let pageToken = first.body.nextPageToken;
    let syncToken: string | undefined;
    for (let i = 0; i < 10 && pageToken; i += 1) {
      const page = await api<EventsPageJson>('GET', eventsPath(ALICE, { maxResults: 2, pageToken }));
      pageToken = page.body.nextPageToken;
      syncToken = page.body.nextSyncToken;
    }

    const next = await round(api, { syncToken: syncToken as string });

    const changed = next.flatMap((p) => p.body.items);
    expect(changed.map((e) => e.id).sort()).toEqual([seen[0], notYetSeen, added].sort());
    expect(changed.find((e) => e.id === seen[0])?.summary).toBe('edited mid-listing');
    expect(changed.find((e) => e.id === notYetSeen)?.status).toBe('cancelled');
  });
});
