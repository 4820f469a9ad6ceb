import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GoogleApiError, startGoogleSimulator, type GoogleEvent, type GoogleSimulator } from '../../../simulators/google/index.ts';
import { ALICE, eventsPath, type EventsPageJson, type GoogleEventJson } from './helpers.ts';

/**
 * A model test of the simulator's change log: random user edits (singles, series, instance edits and
 * cancellations, rule changes, moves, deletions), token invalidations and random paging, interleaved with
 * rounds of a minimal sync client. After every round the client's copy must equal the simulator's truth;
 * that is the property the convergence test of our real sync engine relies on.
 */
const OTHER = 'c_other@group.calendar.google.com';
const WINDOW = { timeMin: '2030-01-01T00:00:00Z', timeMax: '2030-03-01T00:00:00Z' };

type Op =
  | { kind: 'insert'; day: number; hour: number; allDay: boolean }
  | { kind: 'rename' | 'retime' | 'delete' | 'move'; pick: number; hour: number }
  | { kind: 'series'; day: number; count: number }
  | { kind: 'editInstance' | 'cancelInstance'; pick: number; nth: number }
  | { kind: 'setCount'; pick: number; count: number }
  | { kind: 'invalidate' }
  | { kind: 'paging'; mode: 'exact' | 'random' | 'short' }
  | { kind: 'sync' }
  | { kind: 'syncDuring'; edit: Op };

const editArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), day: fc.integer({ min: 1, max: 80 }), hour: fc.integer({ min: 0, max: 22 }), allDay: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('rename' as const, 'retime' as const, 'delete' as const, 'move' as const), pick: fc.nat(), hour: fc.integer({ min: 0, max: 22 }) }),
  fc.record({ kind: fc.constant('series' as const), day: fc.integer({ min: 1, max: 50 }), count: fc.integer({ min: 2, max: 8 }) }),
  fc.record({ kind: fc.constantFrom('editInstance' as const, 'cancelInstance' as const), pick: fc.nat(), nth: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('setCount' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  editArb,
  fc.constant({ kind: 'invalidate' as const }),
  fc.record({ kind: fc.constant('paging' as const), mode: fc.constantFrom('exact' as const, 'random' as const, 'short' as const) }),
  fc.constant({ kind: 'sync' as const }),
  // An edit lands while the client is between two pages of a round.
  fc.record({ kind: fc.constant('syncDuring' as const), edit: editArb }),
);

const iso = (day: number, hour: number): string => new Date(Date.UTC(2030, 0, 1 + day, hour)).toISOString();
const date = (day: number): string => iso(day, 0).slice(0, 10);

function apply(google: GoogleSimulator, op: Op): void {
  const live = google.truth(ALICE).filter((e) => !e.recurringEventId);
  const masters = live.filter((e) => e.recurrence);
  const pick = <T,>(list: T[], n: number): T | undefined => list[n % Math.max(1, list.length)];
  try {
    switch (op.kind) {
      case 'insert':
        google.insertEvent(ALICE, op.allDay ? { summary: 'all day', start: { date: date(op.day) }, end: { date: date(op.day + 1) } } : { summary: 'single', start: { dateTime: iso(op.day, op.hour) }, end: { dateTime: iso(op.day, op.hour + 1) } });
        return;
      case 'series':
        google.createRecurringEvent(ALICE, { summary: 'series', start: { dateTime: iso(op.day, 9), timeZone: 'Europe/Berlin' }, end: { dateTime: iso(op.day, 10), timeZone: 'Europe/Berlin' }, recurrence: [`RRULE:FREQ=DAILY;COUNT=${op.count}`] });
        return;
      case 'rename': {
        const target = pick(live, op.pick);
        if (target) google.patchEvent(ALICE, target.id, { summary: `renamed ${op.hour}` });
        return;
      }
      case 'retime': {
        const target = pick(live, op.pick);
        if (target?.start?.dateTime) google.patchEvent(ALICE, target.id, { start: { dateTime: iso(5, op.hour) }, end: { dateTime: iso(5, op.hour + 1) } });
        return;
      }
      case 'delete': {
        const target = pick(live, op.pick);
        if (target) google.deleteEvent(ALICE, target.id);
        return;
      }
      case 'move': {
        const target = pick(live, op.pick);
        if (target) google.moveEvent(ALICE, target.id, OTHER);
        return;
      }
      case 'editInstance':
      case 'cancelInstance': {
        const master = pick(masters, op.pick);
        if (!master) return;
        const instance = google.expandedTruth(ALICE, WINDOW).filter((e) => e.recurringEventId === master.id)[op.nth];
        if (!instance) return;
        if (op.kind === 'cancelInstance') google.cancelInstance(ALICE, master.id, instance.id);
        else google.editInstance(ALICE, master.id, instance.id, { summary: `edited ${op.nth}` });
        return;
      }
      case 'setCount': {
        const master = pick(masters, op.pick);
        if (master) google.setRecurrence(ALICE, master.id, [`RRULE:FREQ=DAILY;COUNT=${op.count}`]);
        return;
      }
      case 'invalidate':
        google.invalidateSyncTokens(ALICE);
        return;
      case 'paging':
        google.setPaging(op.mode);
        return;
      case 'sync':
      case 'syncDuring':
        return;
    }
  } catch (error) {
    // A user can try things Google refuses (cancelling a cancelled instance): the refusal must be Google's.
    if (!(error instanceof GoogleApiError)) throw error;
  }
}

/** The smallest correct client: full sync on start or 410, then incremental rounds; cancelled without series identity = gone. */
class ModelClient {
  readonly items = new Map<string, GoogleEventJson>();
  private syncToken: string | null = null;
  private readonly google: GoogleSimulator;
  private readonly token: string;
  private readonly singleEvents: boolean;

  constructor(google: GoogleSimulator, token: string, singleEvents: boolean) {
    this.google = google;
    this.token = token;
    this.singleEvents = singleEvents;
  }

  async sync(betweenPages?: () => void): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const full = this.syncToken === null;
      const base: Record<string, string | boolean | number> = { singleEvents: this.singleEvents, maxResults: 7 };
      if (full && this.singleEvents) Object.assign(base, WINDOW);
      if (!full) base.syncToken = this.syncToken as string;
      const received: GoogleEventJson[] = [];
      let pageToken: string | undefined;
      let next: string | undefined;
      let expired = false;
      for (let page = 0; page < 500; page += 1) {
        const response = await fetch(new URL(eventsPath(ALICE, { ...base, ...(pageToken ? { pageToken } : {}) }).slice(1), this.google.url), { headers: { authorization: `Bearer ${this.token}` } });
        if (response.status === 410) {
          expired = true;
          break;
        }
        expect(response.status).toBe(200);
        const body = (await response.json()) as EventsPageJson;
        received.push(...body.items);
        if (page === 0) betweenPages?.();
        pageToken = body.nextPageToken;
        next = body.nextSyncToken;
        if (!pageToken) break;
      }
      if (expired) {
        this.syncToken = null;
        continue;
      }
      if (full) this.items.clear();
      for (const item of received) {
        const gone = item.status === 'cancelled' && (this.singleEvents || !item.recurringEventId);
        if (gone) this.items.delete(item.id);
        else this.items.set(item.id, item);
      }
      this.syncToken = next as string;
      return;
    }
    throw new Error('no stable round after 3 attempts');
  }

  view(): GoogleEventJson[] {
    const inWindow = (e: GoogleEventJson): boolean => {
      const at = (t: GoogleEventJson['start']): number => Date.parse(t?.dateTime ?? `${t?.date}T00:00:00Z`);
      return at(e.end) > Date.parse(WINDOW.timeMin) && at(e.start) < Date.parse(WINDOW.timeMax);
    };
    const all = [...this.items.values()];
    return (this.singleEvents ? all.filter(inWindow) : all).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

const sortById = (events: GoogleEvent[]): GoogleEvent[] => [...events].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('the change log under random edits', () => {
  it.each([false, true])('a sync client (singleEvents=%s) always converges to the truth', async (singleEvents) => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const google = await startGoogleSimulator({ now: () => new Date('2030-01-01T00:00:00Z'), paging: 'exact', seed: ops.length });
        try {
          google.createUser({ email: ALICE });
          google.createCalendar(ALICE, { summary: 'Other', id: OTHER });
          const client = new ModelClient(google, google.issueTokens(ALICE).accessToken, singleEvents);
          await client.sync();
          for (const op of ops) {
            apply(google, op);
            if (op.kind === 'sync') await client.sync();
            if (op.kind === 'syncDuring') await client.sync(() => apply(google, op.edit));
          }
          await client.sync();
          const truth = singleEvents ? sortById(google.expandedTruth(ALICE, WINDOW)) : google.truth(ALICE);
          expect(client.view()).toEqual(truth);
        } finally {
          await google.stop();
        }
      }),
      { numRuns: 40 },
    );
  });
});
