import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { DynamoIdempotencyStore } from '../../../shared/storage/dynamo-idempotency-store.ts';
import { IDEMPOTENCY_LEASE_SECONDS, IDEMPOTENCY_TTL_SECONDS, runIdempotent } from '../../../shared/use-cases/events/idempotent-request.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { eventually } from '../../support/eventually.ts';
import { TestClock } from '../../support/stores.ts';

// Idempotency-Key records (IETF httpapi draft semantics) on DynamoDB Local: one winner per key across
// concurrent requests, replay of the stored answer, refusal of another request under the key, a lease that
// lets a repeat take over from a request that died, and release after a failure.
const options = { leaseSeconds: IDEMPOTENCY_LEASE_SECONDS, ttlSeconds: IDEMPOTENCY_TTL_SECONDS };
let table: TestTable;
let clock: TestClock;
let store: DynamoIdempotencyStore;
let n = 0;
const key = () => `key-${++n}`;

beforeAll(async () => {
  table = await createTestTable('idem-requests');
  clock = new TestClock('2026-12-01T10:00:00Z');
  store = new DynamoIdempotencyStore({ doc: table.doc, tableName: table.tableName, clock });
});

describe('DynamoIdempotencyStore request records', () => {
  it('lets exactly one of 20 concurrent first requests start; the others see it in progress', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.begin('t1', k, 'fp-a', options)));
    expect(results.filter((r) => r.state === 'started')).toHaveLength(1);
    expect(results.filter((r) => r.state === 'in_progress')).toHaveLength(19);
  });

  it('replays the completed answer to the same request, refuses another request under the key, and keeps tenants apart', async () => {
    const k = key();
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('started');
    await store.complete('t1', k, 'fp-a', { status: 201, body: { id: 'evt_1', nested: { ok: true } } }, options.ttlSeconds);

    expect(await store.begin('t1', k, 'fp-a', options)).toEqual({ state: 'completed', response: { status: 201, body: { id: 'evt_1', nested: { ok: true } } } });
    expect(await store.begin('t1', k, 'fp-b', options)).toEqual({ state: 'mismatch' });
    expect((await store.begin('t2', k, 'fp-b', options)).state).toBe('started');
  });

  it('lets a repeat take over once the lease of a request that died has run out, and only for the same request', async () => {
    const k = key();
    await store.begin('t1', k, 'fp-a', options);
    clock.advance((IDEMPOTENCY_LEASE_SECONDS - 1) * 1000);
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('in_progress');
    clock.advance(2000);
    expect((await store.begin('t1', k, 'fp-b', options)).state).toBe('mismatch');
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('started');
  });

  it('forgets a key after its TTL, and releases only its own pending record', async () => {
    const k = key();
    await store.begin('t1', k, 'fp-a', options);
    await store.abandon('t1', k, 'fp-other');
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('in_progress');
    await store.abandon('t1', k, 'fp-a');
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('started');
    await store.complete('t1', k, 'fp-a', { status: 204 }, options.ttlSeconds);
    await store.abandon('t1', k, 'fp-a'); // a completed record is never released
    expect((await store.begin('t1', k, 'fp-a', options)).state).toBe('completed');
    clock.advance((IDEMPOTENCY_TTL_SECONDS + 1) * 1000);
    expect((await store.begin('t1', k, 'fp-b', options)).state).toBe('started');
  });
});

describe('runIdempotent', () => {
  it('runs the request once per key and request: a repeat gets the stored answer', async () => {
    const k = key();
    let runs = 0;
    const run = async () => ({ status: 201, body: { run: ++runs } });
    const first = await runIdempotent(store, { tenantId: 't1', key: k, request: ['create', { title: 'a' }] }, run);
    const again = await runIdempotent(store, { tenantId: 't1', key: k, request: ['create', { title: 'a' }] }, run);
    const reused = await runIdempotent(store, { tenantId: 't1', key: k, request: ['create', { title: 'b' }] }, run).catch((e: unknown) => e);

    expect(first).toEqual({ response: { status: 201, body: { run: 1 } }, replayed: false });
    expect(again).toEqual({ response: { status: 201, body: { run: 1 } }, replayed: true });
    expect(isAppError(reused, 'idempotency.key_reused')).toBe(true);
    expect(runs).toBe(1);
  });

  it('answers idempotency.in_progress while the first request runs, and runs again after a failure', async () => {
    const k = key();
    let release: (() => void) | null = null;
    const slow = runIdempotent(store, { tenantId: 't1', key: k, request: 'r' }, () => new Promise<{ status: number }>((resolve) => (release = () => resolve({ status: 200 }))));
    // The first request owns the key once its run has started.
    await eventually(async () => release !== null);
    const during = await runIdempotent(store, { tenantId: 't1', key: k, request: 'r' }, async () => ({ status: 500 })).catch((e: unknown) => e);
    release!();
    expect(isAppError(during, 'idempotency.in_progress')).toBe(true);
    expect((await slow).replayed).toBe(false);

    const failing = key();
    const error = await runIdempotent(store, { tenantId: 't1', key: failing, request: 'r' }, async () => Promise.reject(new Error('provider down'))).catch((e: unknown) => e);
    const retried = await runIdempotent(store, { tenantId: 't1', key: failing, request: 'r' }, async () => ({ status: 201 }));
    expect(error).toBeInstanceOf(Error);
    expect(retried).toEqual({ response: { status: 201 }, replayed: false });
  });

  it('runs without a key, and refuses an unusable key as a 400 on the header', async () => {
    expect(await runIdempotent(store, { tenantId: 't1', key: undefined, request: 'r' }, async () => ({ status: 204 }))).toEqual({ response: { status: 204 }, replayed: false });
    for (const bad of ['', 'x'.repeat(256), 'has space', 'ünïcode']) {
      const error = await runIdempotent(store, { tenantId: 't1', key: bad, request: 'r' }, async () => ({ status: 204 })).catch((e: unknown) => e);
      expect(isAppError(error, 'input.invalid') && error.details?.field).toBe('headers.idempotency-key');
    }
  });
});
