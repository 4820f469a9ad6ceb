import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimCalendar } from '../../../simulators/microsoft/index.ts';
import { startTestSimulator, type CallResult, type TestSimulator } from './support.ts';

interface Round {
  pages: CallResult[];
  items: Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- Graph JSON
  deltaLink: string;
}

const WINDOW = 'startDateTime=2025-01-01T00:00:00Z&endDateTime=2025-03-01T00:00:00Z';

function event(subject: string, day: string, hour = 10): Record<string, unknown> {
  return { subject, start: { dateTime: `${day}T${String(hour).padStart(2, '0')}:00:00`, timeZone: 'UTC' }, end: { dateTime: `${day}T${String(hour + 1).padStart(2, '0')}:00:00`, timeZone: 'UTC' } };
}

describe('calendarView/delta', () => {
  let t: TestSimulator;
  let calendar: SimCalendar;

  beforeAll(async () => {
    t = await startTestSimulator();
  });

  beforeEach(() => {
    calendar = t.sim.addCalendar(t.userMail, { name: `c-${Math.random()}` });
  });

  afterAll(() => t.sim.stop());

  const deltaPath = () => `/v1.0/me/calendars/${calendar.id}/calendarView/delta`;

  /** Follows nextLinks verbatim until the deltaLink (bounded). */
  async function round(first: string, headers: Record<string, string> = {}): Promise<Round> {
    const pages: CallResult[] = [];
    let url: string | undefined = first;
    for (let i = 0; i < 200 && url; i++) {
      const page = await t.call(url, { headers });
      expect(page.status).toBe(200);
      pages.push(page);
      if (page.json['@odata.deltaLink']) return { pages, items: pages.flatMap((p) => p.json.value), deltaLink: page.json['@odata.deltaLink'] };
      url = page.json['@odata.nextLink'];
    }
    throw new Error('round did not end');
  }

  it('pages a full round at odata.maxpagesize with absolute $skiptoken links, then a $deltatoken link', async () => {
    for (let i = 1; i <= 7; i++) t.sim.createEvent(calendar.id, event(`E${i}`, `2025-01-0${i}`));

    const result = await round(`${deltaPath()}?${WINDOW}`, { Prefer: 'odata.maxpagesize=3' });

    expect(result.pages.map((p) => p.json.value.length)).toEqual([3, 3, 1]);
    expect(result.pages[0]!.headers['preference-applied']).toBe('odata.maxpagesize=3');
    expect(result.pages[0]!.json['@odata.nextLink']).toMatch(new RegExp(`^https://localhost:${t.sim.port}/v1\\.0/me/calendars/.+/calendarView/delta\\?\\$skiptoken=[\\w-]+$`));
    expect(result.pages[0]!.json['@odata.deltaLink']).toBeUndefined();
    expect(result.deltaLink).toMatch(/\?\$deltatoken=[\w-]+$/);
    expect(result.items.map((i) => i.subject).sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7']);
    expect(result.items[0]).toMatchObject({ '@odata.type': '#microsoft.graph.event', type: 'singleInstance' });
  });

  it('requires the window on the first call and carries it in the tokens', async () => {
    t.sim.createEvent(calendar.id, event('inside', '2025-01-10'));
    const missing = await t.call(deltaPath());
    const first = await round(`${deltaPath()}?${WINDOW}`);
    t.sim.createEvent(calendar.id, event('outside', '2025-06-10'));
    t.sim.createEvent(calendar.id, event('new inside', '2025-02-10'));

    // A different window and $select on the deltaLink are ignored: the token's window applies.
    const next = await round(`${first.deltaLink}&startDateTime=2025-06-01T00:00:00Z&endDateTime=2025-07-01T00:00:00Z&$select=subject`);

    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('ErrorInvalidParameter');
    expect(first.items.map((i) => i.subject)).toEqual(['inside']);
    expect(next.items.map((i) => i.subject)).toEqual(['new inside']);
    expect(next.items[0]).toHaveProperty('body');
  });

  it('an incremental round returns exactly what changed: updates, deletions and moves out of the window as @removed', async () => {
    const keep = t.sim.createEvent(calendar.id, event('keep', '2025-01-05'));
    const update = t.sim.createEvent(calendar.id, event('update', '2025-01-06'));
    const remove = t.sim.createEvent(calendar.id, event('remove', '2025-01-07'));
    const move = t.sim.createEvent(calendar.id, event('move', '2025-01-08'));
    const first = await round(`${deltaPath()}?${WINDOW}`);
    t.sim.updateEvent(update.id, { subject: 'updated' });
    t.sim.deleteEvent(remove.id);
    t.sim.updateEvent(move.id, event('moved away', '2025-05-01'));
    const created = t.sim.createEvent(calendar.id, event('created', '2025-01-09'));
    t.sim.createEvent(calendar.id, event('created outside', '2025-09-09'));

    const second = await round(first.deltaLink);
    const third = await round(second.deltaLink);

    expect(first.items).toHaveLength(4);
    const byId = new Map(second.items.map((i) => [i.id, i]));
    expect(byId.size).toBe(4);
    expect(byId.get(update.id)).toMatchObject({ subject: 'updated' });
    expect(byId.get(remove.id)).toEqual({ '@odata.type': '#microsoft.graph.event', id: remove.id, '@removed': { reason: 'deleted' } });
    expect(byId.get(move.id)).toMatchObject({ '@removed': { reason: 'deleted' } });
    expect(byId.get(created.id)).toMatchObject({ subject: 'created' });
    expect(byId.has(keep.id)).toBe(false);
    expect(third.items).toEqual([]);
    expect(third.pages).toHaveLength(1);
  });

  it('expands series into occurrences and exceptions; series changes come as instance changes', async () => {
    const master = t.sim.createEvent(calendar.id, {
      ...event('Weekly', '2025-01-06', 9),
      recurrence: { pattern: { type: 'weekly', daysOfWeek: ['monday'] }, range: { type: 'endDate', startDate: '2025-01-06', endDate: '2025-01-27' } },
    });
    const first = await round(`${deltaPath()}?${WINDOW}`);
    const [a, b, c, d] = first.items;
    t.sim.updateEvent(b!.id, { subject: 'Weekly (special)' });
    t.sim.cancelOccurrence(c!.id);
    t.sim.updateEvent(master.id, { recurrence: { pattern: { type: 'weekly', daysOfWeek: ['monday'] }, range: { type: 'endDate', startDate: '2025-01-06', endDate: '2025-01-13' } } });

    const second = await round(first.deltaLink);

    expect(first.items.map((i) => [i.type, i.seriesMasterId, i.start.dateTime])).toEqual([
      ['occurrence', master.id, '2025-01-06T09:00:00.0000000'], ['occurrence', master.id, '2025-01-13T09:00:00.0000000'],
      ['occurrence', master.id, '2025-01-20T09:00:00.0000000'], ['occurrence', master.id, '2025-01-27T09:00:00.0000000'],
    ]);
    expect(first.items.some((i) => i.type === 'seriesMaster')).toBe(false);
    const byId = new Map(second.items.map((i) => [i.id, i]));
    // Shortening the series resets its exceptions (as Outlook does) and removes the later occurrences.
    expect(byId.get(a!.id)).toMatchObject({ type: 'occurrence' });
    expect(byId.get(b!.id)).toMatchObject({ type: 'occurrence', subject: 'Weekly' });
    expect(byId.get(c!.id)).toMatchObject({ '@removed': { reason: 'deleted' } });
    expect(byId.get(d!.id)).toMatchObject({ '@removed': { reason: 'deleted' } });
    expect(t.sim.truth(calendar.id, '2025-01-01', '2025-03-01').map((e) => e.id)).toEqual([a!.id, b!.id]);
  });

  it('honours Prefer outlook.timezone and works on /me/calendarView/delta (default calendar)', async () => {
    const defaultCalendar = t.sim.user(t.userMail).defaultCalendarId;
    const created = t.sim.createEvent(defaultCalendar, event('default', '2025-02-20', 17));

    const result = await round(`/v1.0/me/calendarView/delta?${WINDOW}`, { Prefer: 'outlook.timezone="Pacific Standard Time", odata.maxpagesize=50' });

    const item = result.items.find((i) => i.id === created.id);
    expect(item?.start).toEqual({ dateTime: '2025-02-20T09:00:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(result.pages[0]!.headers['preference-applied']).toBe('odata.maxpagesize=50, outlook.timezone="Pacific Standard Time"');
    expect(result.deltaLink).toContain('/v1.0/me/calendarView/delta?$deltatoken=');
  });

  it('expired tokens answer 410 syncStateNotFound or resyncRequired, optionally with an empty-token Location', async () => {
    t.sim.createEvent(calendar.id, event('x', '2025-01-02'));
    t.sim.createEvent(calendar.id, event('y', '2025-01-03'));
    const first = await round(`${deltaPath()}?${WINDOW}`);
    const firstPage = await t.call(`${deltaPath()}?${WINDOW}`, { headers: { Prefer: 'odata.maxpagesize=1' } });
    const other = t.sim.addCalendar(t.userMail, { name: 'untouched' });
    const otherRound = await round(`/v1.0/me/calendars/${other.id}/calendarView/delta?${WINDOW}`);

    expect(t.sim.expireDeltaTokens(calendar.id)).toBeGreaterThan(0);
    const expired = await t.call(first.deltaLink);
    const expiredSkip = await t.call(firstPage.json['@odata.nextLink']);
    const unaffected = await t.call(otherRound.deltaLink);
    const second = await round(`${deltaPath()}?${WINDOW}`);
    t.sim.expireDeltaTokens({ calendarId: calendar.id, code: 'resyncRequired', location: true });
    const resync = await t.call(second.deltaLink);

    expect(expired.status).toBe(410);
    expect(expired.json.error.code).toBe('syncStateNotFound');
    expect(expiredSkip.status).toBe(410);
    expect(unaffected.status).toBe(200);
    expect(resync.status).toBe(410);
    expect(resync.json.error.code).toBe('resyncRequired');
    expect(resync.headers.location).toBe(`${t.sim.origin}${deltaPath()}?$deltatoken=`);
  });

  it('replays and empty pages when switched on; applying them twice is harmless', async () => {
    for (let i = 1; i <= 4; i++) t.sim.createEvent(calendar.id, event(`R${i}`, `2025-01-1${i}`));
    t.sim.setDeltaReplays(true);
    t.sim.injectEmptyDeltaPages(1);

    const first = await round(`${deltaPath()}?${WINDOW}`, { Prefer: 'odata.maxpagesize=2' });
    const second = await round(first.deltaLink);
    t.sim.setDeltaReplays(false);

    expect(first.pages[0]!.json.value).toEqual([]);
    expect(first.pages[0]!.json['@odata.nextLink']).toBeDefined();
    expect(first.items.length).toBeGreaterThan(4);
    expect(new Set(first.items.map((i) => i.id)).size).toBe(4);
    expect(second.items).toHaveLength(1);
    expect(second.items[0]!.subject).toBe('R4');
  });

  it('a full round of 10,000 events at the max page size takes 10 calls', async () => {
    for (let i = 0; i < 10_000; i++) {
      const day = String((i % 28) + 1).padStart(2, '0');
      t.sim.createEvent(calendar.id, event(`bulk ${i}`, `2025-01-${day}`, i % 20));
    }
    t.sim.resetCounters();

    const result = await round(`${deltaPath()}?${WINDOW}`, { Prefer: `odata.maxpagesize=${t.sim.maxPageSize}` });

    expect(result.items).toHaveLength(10_000);
    expect(t.sim.counters()['GET /v1.0/me/calendars/{calendarId}/calendarView/delta']).toBe(10);
  });
});
