import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { DynamoCalendarStore } from '../../../shared/storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../../shared/storage/dynamo-connection-store.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { calendar, connection, localCipher, oauthCredentials, rejectionOf, shuffled } from './builders.ts';

const WRITERS = 50;
/** Each writer retries at most this often; with 50 writers the worst case needs 50. */
const MAX_ATTEMPTS = 200;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** reliability.md scenario 13: shuffled concurrent writers through conditional writes lose no update. */
describe('optimistic locking under concurrency', () => {
  let connections: DynamoConnectionStore;
  let calendars: DynamoCalendarStore;

  beforeAll(async () => {
    const table = await createTestTable('concurrency');
    connections = new DynamoConnectionStore({ doc: table.doc, tableName: table.tableName, cipher: localCipher() });
    calendars = new DynamoCalendarStore({ doc: table.doc, tableName: table.tableName });
  });

  it('lets exactly one of two writers from the same connection version win', async () => {
    const saved = await connections.save(connection('t1', 'con_two'), oauthCredentials('at'));

    const results = await Promise.allSettled([
      connections.update('t1', 'con_two', saved.version, { status: 'error' }),
      connections.update('t1', 'con_two', saved.version, { status: 'reauth_required' }),
    ]);

    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(isAppError(losers[0]!.reason, 'storage.conflict')).toBe(true);
    expect((await connections.get('t1', 'con_two'))?.version).toBe(saved.version + 1);
  });

  it('loses no increment among 50 shuffled read-modify-write connection writers', async () => {
    await connections.save(connection('t1', 'con_counter'), oauthCredentials('at'));
    let conflicts = 0;

    const increment = async (): Promise<void> => {
      await pause(Math.random() * 20);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = (await connections.get('t1', 'con_counter'))!;
        try {
          await connections.update('t1', 'con_counter', current.version, { consecutiveErrors: current.consecutiveErrors + 1 });
          return;
        } catch (error) {
          if (!isAppError(error, 'storage.conflict')) throw error;
          conflicts++;
          await pause(Math.random() * 10);
        }
      }
      throw new Error('writer gave up');
    };
    await Promise.all(shuffled(Array.from({ length: WRITERS }, () => increment)).map((writer) => writer()));

    const final = await connections.get('t1', 'con_counter');
    expect(final?.consecutiveErrors).toBe(WRITERS);
    expect(final?.version).toBe(WRITERS);
    expect(conflicts).toBeGreaterThan(0); // the writers really raced
  });

  it('advances a cursor once per writer among 50 concurrent syncs, never from a stale version', async () => {
    await calendars.put(calendar('t1', 'cal_counter'), null);
    const won: string[] = [];

    const sync = async (writer: string): Promise<void> => {
      await pause(Math.random() * 20);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = (await calendars.get('t1', 'cal_counter'))!;
        try {
          await calendars.advanceCursor('t1', 'cal_counter', current.cursorVersion, {
            cursor: `${writer}@${current.cursorVersion + 1}`,
            lastSyncedAt: new Date().toISOString(),
            nextSyncAt: new Date().toISOString(),
          });
          won.push(`${writer}@${current.cursorVersion + 1}`);
          return;
        } catch (error) {
          if (!isAppError(error, 'storage.conflict')) throw error;
          await pause(Math.random() * 10);
        }
      }
      throw new Error('writer gave up');
    };
    await Promise.all(shuffled(Array.from({ length: WRITERS }, (_, i) => `w${i}`)).map(sync));

    const final = await calendars.get('t1', 'cal_counter');
    expect(final?.cursorVersion).toBe(WRITERS);
    expect(final?.cursor).toBe(won.at(-1));
    expect(new Set(won.map((entry) => entry.split('@')[1])).size).toBe(WRITERS); // each version written exactly once
    expect(await rejectionOf(calendars.advanceCursor('t1', 'cal_counter', 0, { cursor: 'late', lastSyncedAt: new Date().toISOString(), nextSyncAt: new Date().toISOString() }))).toMatchObject({ code: 'storage.conflict' });
  });

  it('applies 50 shuffled order-sensitive updates so that the final state is the ordered fold of what committed', async () => {
    // Each writer's change depends on the state it read (a hash chain over an append): two writers from one
    // version cannot both commit, and a lost or reapplied update changes the result. The oracle replays the
    // commits in version order from the starting state, independently of the store.
    const { createHash } = await import('node:crypto');
    const step = (state: string, writer: number) => `${createHash('sha256').update(`${state}|${writer}`).digest('hex').slice(0, 16)}:${writer}`;
    const initial = 'genesis';
    await connections.save({ ...connection('t1', 'con_chain'), displayName: initial }, oauthCredentials('at'));
    const committedAt = new Map<number, number>();
    let conflicts = 0;

    const writer = async (id: number): Promise<void> => {
      await pause(Math.random() * 20);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = (await connections.get('t1', 'con_chain'))!;
        try {
          const updated = await connections.update('t1', 'con_chain', current.version, { displayName: step(current.displayName!, id) });
          committedAt.set(updated.version, id);
          return;
        } catch (error) {
          if (!isAppError(error, 'storage.conflict')) throw error;
          conflicts++;
          await pause(Math.random() * 10);
        }
      }
      throw new Error('writer gave up');
    };
    await Promise.all(shuffled(Array.from({ length: WRITERS }, (_, i) => i)).map(writer));

    const final = (await connections.get('t1', 'con_chain'))!;
    const start = final.version - WRITERS;
    const order = Array.from({ length: WRITERS }, (_, i) => committedAt.get(start + i + 1));
    expect(new Set(order).size).toBe(WRITERS); // every writer committed exactly once, one per version
    expect(order.every((id) => id !== undefined)).toBe(true);
    expect(final.displayName).toBe(order.reduce<string>((state, id) => step(state, id!), initial));
    expect(conflicts).toBeGreaterThan(0);
  });
});
