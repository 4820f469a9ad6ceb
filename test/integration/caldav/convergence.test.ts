import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { CaldavCalendarProvider } from '../../../shared/providers/caldav/index.ts';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.ts';
import { startRadicale, type Radicale, type RadicaleUser } from '../../support/radicale.ts';
import { createTestStores, RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { OtherClient, providerFor } from './support/caldav-setup.ts';
import type { VeventSpec } from './support/ics.ts';
import { CrashingProvider, SyncedCalendar, expectSameEvents, replay, withoutVersion } from './support/sync-harness.ts';

/**
 * Convergence of the real sync engine with a real Radicale. The truth is what Radicale holds; a second
 * CalDAV client (raw requests, never our adapter) changes it: creates, edits, moves (WebDAV MOVE), deletes,
 * series with moved and cancelled instances. Faults on the way: forgotten sync tokens (403 → one full
 * resync), 5xx / 503 Retry-After / hanging answers injected by a proxy, a worker crash between pages, and
 * our own writes with a stale etag (412: must fail and leave Radicale unchanged). After the engine settles,
 * the store equals Radicale's objects in the window (read with our parser), and replaying the domain events
 * over the starting state gives the store.
 */

const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC'] as const;
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Day 0 of generated times: a month before the window starts (clock 2026-11-23, 30 days back). */
const DAY0 = Date.UTC(2026, 9, 10);

type Zone = (typeof ZONES)[number];

type Command =
  | { k: 'createSingle'; allDay: boolean; day: number; hour: number; zone: Zone; title: string }
  | { k: 'createSeries'; day: number; hour: number; zone: Zone; count: number; title: string }
  | { k: 'retitle'; pick: number; title: string }
  | { k: 'reschedule'; pick: number; day: number; hour: number }
  | { k: 'move'; pick: number }
  | { k: 'delete'; pick: number }
  | { k: 'changeSeries'; pick: number; count: number; title: string }
  | { k: 'addOverride'; pick: number; occurrence: number; shiftHours: number }
  | { k: 'cancelInstance'; pick: number; occurrence: number; viaExdate: boolean }
  | { k: 'dropOverrides'; pick: number }
  | { k: 'sync' }
  | { k: 'expireTokens' }
  | { k: 'serverErrors'; count: number; status: 500 | 503 }
  | { k: 'hang' }
  | { k: 'crashNextSync'; afterPages: number }
  | { k: 'staleWrite'; pick: number; asDelete: boolean }
  | { k: 'ourUpdate'; pick: number; title: string };

const title = fc.constantFrom('Standup', 'Review', 'Lunch', 'Trip', '1:1', 'Offsite, day 1', 'Ünïcødé; test');
const pick = fc.nat(20);
const day = fc.integer({ min: 0, max: 120 });
const hour = fc.integer({ min: 7, max: 19 });
const zone = fc.constantFrom(...ZONES);

const creation: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ k: fc.constant('createSingle' as const), allDay: fc.boolean(), day, hour, zone, title }),
  fc.record({ k: fc.constant('createSeries' as const), day: fc.integer({ min: 0, max: 60 }), hour, zone, count: fc.integer({ min: 2, max: 6 }), title }),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: creation, weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('retitle' as const), pick, title }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('reschedule' as const), pick, day, hour }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('move' as const), pick }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('delete' as const), pick }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('changeSeries' as const), pick, count: fc.integer({ min: 1, max: 6 }), title }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('addOverride' as const), pick, occurrence: fc.integer({ min: 0, max: 5 }), shiftHours: fc.integer({ min: -3, max: 26 }) }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('cancelInstance' as const), pick, occurrence: fc.integer({ min: 0, max: 5 }), viaExdate: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('dropOverrides' as const), pick }), weight: 1 },
  { arbitrary: fc.constant({ k: 'sync' as const }), weight: 3 },
  { arbitrary: fc.constant({ k: 'expireTokens' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('serverErrors' as const), count: fc.integer({ min: 1, max: 2 }), status: fc.constantFrom(500 as const, 503 as const) }), weight: 1 },
  { arbitrary: fc.constant({ k: 'hang' as const }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('crashNextSync' as const), afterPages: fc.integer({ min: 0, max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('staleWrite' as const), pick, asDelete: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('ourUpdate' as const), pick, title }), weight: 1 },
);

function wallOf(dayIndex: number, hourOfDay: number): number {
  return DAY0 + dayIndex * DAY + hourOfDay * HOUR;
}

function timedSpec(uid: string, name: string, wall: number, zoneName: Zone): VeventSpec {
  return { uid, title: name, start: { wall, zone: zoneName }, end: { wall: wall + HOUR, zone: zoneName } };
}

/** Facts gathered over all cases, so the faults demonstrably happened. */
const seen = { resyncs: 0, preconditionFailures: 0, injectedFaults: 0, crashes: 0, pagedRounds: 0, moves: 0, ourWrites: 0 };

let radicale: Radicale;
let proxy: FaultProxy;
let stores: TestStores;
let user: RadicaleUser;
let caseNumber = 0;

beforeAll(async () => {
  radicale = await startRadicale({ users: { conv: 'conv-password' } });
  proxy = await startFaultProxy(radicale.url);
  stores = await createTestStores();
  user = radicale.user('conv');
});

afterAll(async () => {
  await proxy?.stop();
  await radicale?.stop();
});

async function runCase(initial: Command[], commands: Command[]): Promise<void> {
  const slug = `case-${++caseNumber}`;
  const collectionUrl = await user.makeCalendar(slug, { timeZone: 'Europe/Berlin' });
  const proxiedCollection = new URL(new URL(collectionUrl).pathname, proxy.url).href;
  const other = new OtherClient(user, collectionUrl);
  const clock = new TestClock('2026-11-23T12:00:00Z');
  const publisher = new RecordingPublisher();
  // Through the proxy, with small multiget batches (several pages per round). A hung answer is dropped by the
  // proxy after a second (the client's own timeout is tested in sync-protocol.test.ts; a short one here would
  // also cut legitimate answers on a loaded machine).
  const crashing = new CrashingProvider(providerFor(radicale, 'conv', { serverUrl: proxy.url, multigetBatch: 2, timeoutMs: 15_000 }));
  const direct: CaldavCalendarProvider = providerFor(radicale, 'conv');
  const directRef = { providerCalendarId: collectionUrl, timeZone: 'Europe/Berlin' };
  const synced = new SyncedCalendar({ stores, clock, publisher, provider: crashing, tenantId: 'conv', key: slug, collectionUrl: proxiedCollection, serverUrl: proxy.url, timeZone: 'Europe/Berlin' });
  await synced.register();
  proxy.reset();

  const objects = () => [...other.objects.keys()];
  const series = () => [...other.objects].filter(([, o]) => o.specs[0]?.rrule).map(([uid]) => uid);
  const choose = (list: string[], index: number) => (list.length ? list[index % list.length]! : null);

  const apply = async (cmd: Command): Promise<void> => {
    switch (cmd.k) {
      case 'createSingle': {
        const uid = randomUUID();
        if (cmd.allDay) {
          const date = new Date(DAY0 + cmd.day * DAY).toISOString().slice(0, 10);
          const end = new Date(DAY0 + (cmd.day + 1 + (cmd.hour % 3)) * DAY).toISOString().slice(0, 10);
          await other.create([{ uid, title: cmd.title, start: { date }, end: { date: end } }]);
        } else {
          await other.create([timedSpec(uid, cmd.title, wallOf(cmd.day, cmd.hour), cmd.zone)]);
        }
        return;
      }
      case 'createSeries': {
        const uid = randomUUID();
        await other.create([{ ...timedSpec(uid, cmd.title, wallOf(cmd.day, cmd.hour), cmd.zone), rrule: `FREQ=WEEKLY;COUNT=${cmd.count}` }]);
        return;
      }
      case 'retitle': {
        const uid = choose(objects(), cmd.pick);
        if (uid) await other.edit(uid, (specs) => specs.map((s, i) => (i === 0 ? { ...s, title: cmd.title } : s)));
        return;
      }
      case 'reschedule': {
        const uid = choose(objects(), cmd.pick);
        if (!uid) return;
        await other.edit(uid, (specs) => {
          const [first, ...rest] = specs;
          if (!first) return specs;
          if ('date' in first.start) {
            const date = new Date(DAY0 + cmd.day * DAY).toISOString().slice(0, 10);
            return [{ ...first, start: { date }, end: { date: new Date(DAY0 + (cmd.day + 1) * DAY).toISOString().slice(0, 10) } }, ...rest];
          }
          const zoneName = 'zone' in first.start ? (first.start.zone as Zone) : 'UTC';
          const moved: VeventSpec = { ...first, start: { wall: wallOf(cmd.day, cmd.hour), zone: zoneName }, end: { wall: wallOf(cmd.day, cmd.hour) + HOUR, zone: zoneName } };
          // A rescheduled series drops its overrides and exceptions, as clients do when the whole series moves.
          return first.rrule ? [{ ...moved, exdates: [] }] : [moved, ...rest];
        });
        return;
      }
      case 'move': {
        const uid = choose(objects(), cmd.pick);
        if (uid) {
          await other.move(uid);
          seen.moves += 1;
        }
        return;
      }
      case 'delete': {
        const uid = choose(objects(), cmd.pick);
        if (uid) await other.remove(uid);
        return;
      }
      case 'changeSeries': {
        const uid = choose(series(), cmd.pick);
        if (uid) await other.edit(uid, (specs) => specs.map((s, i) => (i === 0 ? { ...s, title: cmd.title, rrule: `FREQ=WEEKLY;COUNT=${cmd.count}` } : s)));
        return;
      }
      case 'addOverride':
      case 'cancelInstance': {
        const uid = choose(series(), cmd.pick);
        if (!uid) return;
        await other.edit(uid, (specs) => {
          const master = specs[0]!;
          const start = master.start as { wall: number; zone: string };
          const recurrenceWall = start.wall + cmd.occurrence * 7 * DAY;
          const others = specs.filter((s, i) => i === 0 || !s.recurrenceId || (s.recurrenceId as { wall: number }).wall !== recurrenceWall);
          const recurrenceId = { wall: recurrenceWall, zone: start.zone };
          if (cmd.k === 'cancelInstance' && cmd.viaExdate) {
            return [{ ...master, exdates: [...(master.exdates ?? []), recurrenceId] }, ...others.slice(1)];
          }
          const shift = cmd.k === 'addOverride' ? cmd.shiftHours * HOUR : 0;
          const override: VeventSpec = {
            uid,
            title: cmd.k === 'addOverride' ? `${master.title} (moved)` : master.title,
            recurrenceId,
            start: { wall: recurrenceWall + shift, zone: start.zone },
            end: { wall: recurrenceWall + shift + HOUR, zone: start.zone },
            ...(cmd.k === 'cancelInstance' ? { status: 'CANCELLED' as const } : {}),
          };
          return [...others, override];
        });
        return;
      }
      case 'dropOverrides': {
        const uid = choose(series(), cmd.pick);
        if (uid) await other.edit(uid, (specs) => [{ ...specs[0]!, exdates: [] }]);
        return;
      }
      case 'sync':
        await synced.syncOnce();
        return;
      case 'expireTokens':
        radicale.forgetSyncTokens('conv', slug);
        return;
      case 'serverErrors':
        proxy.failNext(cmd.count, { kind: 'status', status: cmd.status, ...(cmd.status === 503 ? { headers: { 'retry-after': '1' } } : {}) });
        return;
      case 'hang':
        proxy.failNext(1, { kind: 'timeout', holdMs: 1_000 });
        return;
      case 'crashNextSync':
        crashing.armCrash(cmd.afterPages);
        return;
      case 'staleWrite': {
        const uid = choose(objects(), cmd.pick);
        if (!uid) return;
        const object = other.objects.get(uid)!;
        const staleEtag = (await user.get(collectionUrl, object.name))!.etag;
        await other.edit(uid, (specs) => specs.map((s, i) => (i === 0 ? { ...s, description: `edited elsewhere ${randomUUID().slice(0, 6)}` } : s)));
        const before = (await user.get(collectionUrl, object.name))!;
        const current = await direct.getEvent(directRef, uid);
        const write = cmd.asDelete
          ? direct.deleteEvent(directRef, uid, { etag: staleEtag })
          : direct.updateEvent(directRef, uid, { title: 'lost update', start: current?.start ?? { date: '2026-12-01' }, end: current?.end ?? { date: '2026-12-02' } }, { etag: staleEtag });
        const error = await write.then(() => null, (e: unknown) => e);
        expect(isAppError(error, 'provider.precondition_failed'), `stale ${cmd.asDelete ? 'delete' : 'update'} must fail with precondition_failed`).toBe(true);
        const after = await user.get(collectionUrl, object.name);
        expect(after, 'a refused write leaves Radicale unchanged').toEqual(before);
        seen.preconditionFailures += 1;
        return;
      }
      case 'ourUpdate': {
        const uid = choose(objects(), cmd.pick);
        if (!uid) return;
        const current = await direct.getEvent(directRef, uid);
        if (!current) return;
        await direct.updateEvent(directRef, uid, { title: cmd.title, start: current.start, end: current.end }, { etag: current.etag });
        const object = other.objects.get(uid)!;
        // The other client learns our change, like a client re-reading after a sync.
        object.specs = object.specs.map((s, i) => (i === 0 ? { ...s, title: cmd.title } : s));
        seen.ourWrites += 1;
        return;
      }
    }
  };

  for (const cmd of initial) await apply(cmd);
  await synced.settle();
  const start = await synced.stored();
  const publishedBefore = synced.eventChanges().length;

  for (const cmd of commands) await apply(cmd);

  seen.injectedFaults += proxy.log.filter((entry) => entry.faulted).length;
  seen.crashes += crashing.crashes;
  proxy.reset();
  crashing.disarm();
  await synced.settle(8);

  const completions = publisher.ofType('calendar.sync.completed').map((e) => e.data as { resynced: boolean; pages: number });
  seen.resyncs += completions.filter((c) => c.resynced).length;
  seen.pagedRounds += completions.filter((c) => c.pages > 1).length;

  const stored = await synced.stored();
  expectSameEvents(stored, await synced.expectedFrom(user, collectionUrl), `store = Radicale (${slug})`);
  const replayed = replay(start, synced.eventChanges().slice(publishedBefore));
  expectSameEvents(withoutVersion(replayed), withoutVersion(stored), `replayed domain events = store (${slug})`);

  // Settled and unchanged: the next poll costs exactly one request.
  proxy.reset();
  const quiet = await synced.syncOnce();
  expect(quiet).toMatchObject({ status: 'synced', created: 0, updated: 0, deleted: 0 });
  expect(proxy.count(), 'an unchanged calendar costs one request').toBe(1);
}

describe('CalDAV convergence against Radicale (property)', () => {
  it('the store converges to what Radicale holds, under faults, and the domain events replay to it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(creation, { minLength: 0, maxLength: 4 }), fc.array(command, { minLength: 1, maxLength: 10 }), async (initial, commands) => {
        await runCase(initial, commands);
      }),
      {
        numRuns: Number(process.env.CALDAV_CONVERGENCE_RUNS ?? 100),
        endOnFailure: true,
        // One case always crashes a sync at its first page (random cases arm crashes that a later sync may
        // never reach: a full run once had none, and the coverage check below failed by chance).
        examples: [[[{ k: 'createSingle', allDay: false, day: 3, hour: 9, zone: ZONES[0]!, title: 'Standup' }], [{ k: 'crashNextSync', afterPages: 0 }, { k: 'sync' }, { k: 'retitle', pick: 0, title: 'Review' }, { k: 'sync' }]]],
      },
    );
    expect(caseNumber).toBeGreaterThanOrEqual(Number(process.env.CALDAV_CONVERGENCE_RUNS ?? 100));
    // The faults were not just generated but hit the engine.
    expect(seen.resyncs, 'full resyncs after a forgotten token').toBeGreaterThan(0);
    expect(seen.preconditionFailures).toBeGreaterThan(0);
    expect(seen.injectedFaults).toBeGreaterThan(0);
    expect(seen.crashes).toBeGreaterThan(0);
    expect(seen.pagedRounds).toBeGreaterThan(0);
    expect(seen.moves).toBeGreaterThan(0);
    expect(seen.ourWrites).toBeGreaterThan(0);
  }, 600_000);
});
