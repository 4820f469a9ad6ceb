import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { GraphCalendarProvider } from '../../../shared/providers/microsoft/index.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { collectRound } from '../../contract/provider-contract.ts';
import { TestClock, type TestStores } from '../../support/stores.ts';
import { connectMailbox, createTestStores, graphProviderFor, startSimulator, type ConnectedMailbox } from './support.ts';

const DELTA = 'GET /v1.0/me/calendars/{calendarId}/calendarView/delta';
const window = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2027-03-01T00:00:00Z') };

describe('Graph provider against throttling, outages, expiry and replays (simulator)', () => {
  let sim: GraphSimulator;
  let stores: TestStores;
  let mailbox: ConnectedMailbox;
  let provider: GraphCalendarProvider;
  const waits: number[] = [];
  const clock = new TestClock(Date.now());
  const calendar = () => ({ providerCalendarId: mailbox.simCalendarId, timeZone: 'UTC' });
  const full = () => collectRound(provider, { calendar: calendar(), cursor: null, window });

  beforeAll(async () => {
    sim = await startSimulator();
    stores = await createTestStores(clock);
    mailbox = await connectMailbox(sim, stores, clock, 'faults');
    provider = await graphProviderFor(sim, stores, clock, mailbox.connection, { maxPageSize: 10, retry: { sleep: async (ms) => void waits.push(ms) } });
    for (let i = 0; i < 25; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0');
      sim.createEvent(mailbox.simCalendarId, { subject: `E${i}`, start: { dateTime: `2026-12-${day}T08:00:00`, timeZone: 'Pacific Standard Time' }, end: { dateTime: `2026-12-${day}T09:00:00`, timeZone: 'Pacific Standard Time' } });
    }
  });
  afterAll(() => sim?.stop());

  it('pages at the requested size, with the Windows zone of every event mapped', async () => {
    sim.resetCounters();
    const round = await full();
    expect(round.pages).toBe(3);
    expect(sim.counters()[DELTA]).toBe(3);
    expect(round.upserts.size).toBe(25);
    expect([...round.upserts.values()].every((e) => 'timeZone' in e.start && e.start.timeZone === 'America/Los_Angeles')).toBe(true);
    expect(sim.requestLog().filter((r) => r.route === DELTA).length).toBeGreaterThan(0);
  });

  it('waits out a 429 Retry-After in-process once, and gives a persistent one back as rate_limited with the delay', async () => {
    waits.length = 0;
    sim.resetCounters();
    sim.failNext({ pathPattern: '/calendarView/delta', status: 429, retryAfterSeconds: 1 });
    expect((await full()).upserts.size).toBe(25);
    expect(waits).toEqual([1_000]);
    expect(sim.counters()[DELTA]).toBe(4);

    waits.length = 0;
    sim.failNext({ pathPattern: '/calendarView/delta', status: 429, retryAfterSeconds: 7, count: 3 });
    const error = await full().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider.rate_limited', retryAfterMs: 7_000 });
    expect(waits).toEqual([7_000, 7_000]);
  });

  it('retries a 503 on reads and idempotent creates, not on updates', async () => {
    sim.failNext({ pathPattern: '/calendarView/delta', status: 503 });
    expect((await full()).upserts.size).toBe(25);

    sim.resetCounters();
    sim.failNext({ method: 'POST', pathPattern: /\/events$/, status: 503 });
    const created = await provider.createEvent(calendar(), { title: 'Once', start: { dateTime: '2026-12-30T10:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-30T11:00:00Z', timeZone: 'UTC' } });
    expect(sim.truth(mailbox.simCalendarId, window.start, window.end).filter((e) => e.subject === 'Once').map((e) => e.id)).toEqual([created.providerEventId]);

    sim.failNext({ method: 'PATCH', status: 503 });
    const update = await provider.updateEvent(calendar(), created.providerEventId, { title: 'Twice', start: { dateTime: '2026-12-30T10:00:00Z', timeZone: 'UTC' }, end: { dateTime: '2026-12-30T11:00:00Z', timeZone: 'UTC' } }).catch((e: unknown) => e);
    expect(isAppError(update, 'provider.unavailable')).toBe(true);
    expect(sim.getEvent(created.providerEventId)?.subject).toBe('Once');
  });

  it('keeps at most 4 requests in flight per mailbox, so Outlook never throttles our own burst', async () => {
    sim.setLatency(40);
    const logStart = sim.requestLog().length;
    const ids = sim.truth(mailbox.simCalendarId, window.start, window.end).slice(0, 16).map((e) => e.id);
    const started = performance.now();
    const events = await Promise.all(ids.map((id) => provider.getEvent(calendar(), id)));
    sim.setLatency(null);
    expect(events.every((e) => e !== null)).toBe(true);
    expect(sim.requestLog().slice(logStart).filter((r) => r.status === 429)).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 40);
  });

  it('reports 410 syncStateNotFound and resyncRequired (with a Location header) as cursor_invalid', async () => {
    for (const code of ['syncStateNotFound', 'resyncRequired'] as const) {
      const round = await full();
      sim.expireDeltaTokens({ code, location: code === 'resyncRequired' });
      const error = await collectRound(provider, { calendar: calendar(), cursor: round.cursor, window }).catch((e: unknown) => e);
      expect(isAppError(error, 'provider.cursor_invalid'), code).toBe(true);
    }
  });

  it('restarts (retryable) when a full listing expires between pages, instead of asking for a resync', async () => {
    const first = await provider.listChanges({ calendar: calendar(), cursor: null, window, pageToken: null });
    sim.expireDeltaTokens();
    const error = await provider.listChanges({ calendar: calendar(), cursor: null, window, pageToken: first.nextPageToken }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider.unavailable', retryable: true });
  });

  it('completes rounds with empty pages and replayed items (duplicates are harmless)', async () => {
    const before = await full();
    sim.setDeltaReplays(true);
    sim.injectEmptyDeltaPages(2);
    const replayed = await full();
    sim.updateEvent(sim.truth(mailbox.simCalendarId, window.start, window.end)[0]!.id, { subject: 'changed once' });
    const incremental = await collectRound(provider, { calendar: calendar(), cursor: replayed.cursor, window });
    sim.setDeltaReplays(false);
    expect([...replayed.upserts.keys()].sort()).toEqual([...before.upserts.keys()].sort());
    expect(replayed.pages).toBeGreaterThan(before.pages);
    expect([...incremental.upserts.values()].map((e) => e.title)).toContain('changed once');
  });

  it('creates a Teams meeting when the draft asks for one', async () => {
    const created = await provider.createEvent(calendar(), {
      title: 'Teams sync',
      start: { dateTime: '2026-12-29T15:00:00Z', timeZone: 'America/New_York' },
      end: { dateTime: '2026-12-29T15:30:00Z', timeZone: 'America/New_York' },
      conference: { provider: 'teams' },
    });
    expect(created.conference).toMatchObject({ provider: 'teams', status: 'ready' });
    expect(created.conference?.url).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    expect(created.start).toEqual({ dateTime: '2026-12-29T15:00:00Z', timeZone: 'America/New_York' });
    expect(sim.getEvent(created.providerEventId)).toMatchObject({ isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness', originalStartTimeZone: 'America/New_York' });
  });
});
