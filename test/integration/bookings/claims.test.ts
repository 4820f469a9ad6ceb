import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_GRANULE_MS, DynamoBookingClaimStore, claimKey } from '../../../shared/storage/dynamo-booking-claim-store.ts';
import { createTestTable } from '../../support/dynamo.ts';

let store: DynamoBookingClaimStore;
let doc: DynamoDBDocumentClient;
let tableName: string;
const T0 = Date.parse('2027-01-04T09:00:00Z');
const MIN = 60_000;
const NOW = Date.parse('2027-01-01T00:00:00Z');

beforeAll(async () => {
  const table = await createTestTable('booking-claims');
  doc = table.doc;
  tableName = table.tableName;
  store = new DynamoBookingClaimStore({ doc, tableName });
}, 60_000);

async function held(tenantId: string, resource: string): Promise<{ sk: string; bookingId: string; state: string }[]> {
  const out = await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': claimKey(tenantId, resource, 0).pk }, ConsistentRead: true }));
  return (out.Items ?? []) as { sk: string; bookingId: string; state: string }[];
}

const claim = (tenantId: string, bookingId: string, resources: string[], ranges: { startMs: number; endMs: number }[], leaseUntilMs = NOW + 5 * MIN, nowMs = NOW) =>
  store.claim({ tenantId, bookingId, resources, ranges, leaseUntilMs, nowMs });

describe('booking claims on DynamoDB Local', () => {
  it('of 50 concurrent overlapping claims on one host exactly one wins, and it holds exactly its granules', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => claim('t50', `bkg_${i}`, ['host-a'], [{ startMs: T0 + (i % 4) * 15 * MIN, endMs: T0 + (i % 4) * 15 * MIN + 60 * MIN }])),
    );
    const winners = results.flatMap((result, i) => (result.ok ? [i] : []));
    expect(winners).toHaveLength(1);
    const items = await held('t50', 'host-a');
    expect(new Set(items.map((item) => item.bookingId))).toEqual(new Set([`bkg_${winners[0]}`]));
    expect(items).toHaveLength(60 / 5);
    for (const result of results) if (!result.ok) expect(result.conflicts.length).toBeGreaterThan(0);
  }, 60_000);

  it('a room shared by two hosts\' bookings is taken once; bookings that only touch (10:00–10:30, 10:30–11:00) both hold', async () => {
    const a = await claim('room', 'bkg_a', ['host-1', 'room-1'], [{ startMs: T0, endMs: T0 + 30 * MIN }]);
    const b = await claim('room', 'bkg_b', ['host-2', 'room-1'], [{ startMs: T0 + 25 * MIN, endMs: T0 + 55 * MIN }]);
    const c = await claim('room', 'bkg_c', ['host-2', 'room-1'], [{ startMs: T0 + 30 * MIN, endMs: T0 + 60 * MIN }]);
    expect(a.ok).toBe(true);
    expect(b).toEqual({ ok: false, conflicts: [{ resource: 'room-1', startMs: T0 + 25 * MIN, bookingId: 'bkg_a' }] });
    expect(c.ok).toBe(true);
    // The refused claim left nothing on host-2 beyond c's granules.
    expect((await held('room', 'host-2')).every((item) => item.bookingId === 'bkg_c')).toBe(true);
  });

  it('a recurring claim colliding in its 5th occurrence is refused whole, names that occurrence, and holds nothing', async () => {
    const week = 7 * 86_400_000;
    expect((await claim('rec', 'bkg_other', ['host-r'], [{ startMs: T0 + 4 * week, endMs: T0 + 4 * week + 30 * MIN }])).ok).toBe(true);
    const occurrences = Array.from({ length: 6 }, (_, i) => ({ startMs: T0 + i * week, endMs: T0 + i * week + 30 * MIN }));
    const result = await claim('rec', 'bkg_series', ['host-r'], occurrences);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(new Set(result.conflicts.map((c) => c.startMs - ((c.startMs - T0) % week)))).toEqual(new Set([T0 + 4 * week]));
    expect((await held('rec', 'host-r')).map((item) => item.bookingId)).toEqual(Array(6).fill('bkg_other'));
  });

  it('claims beyond one transaction (100 items) are all or nothing too', async () => {
    // 3 resources × 10 hours of 5-minute granules = 360 items, 4 transactions; the last one collides.
    const lastResource = 'res-c';
    expect((await claim('big', 'bkg_blocker', [lastResource], [{ startMs: T0 + 9 * 60 * MIN, endMs: T0 + 10 * 60 * MIN }])).ok).toBe(true);
    const result = await claim('big', 'bkg_big', ['res-a', 'res-b', lastResource], [{ startMs: T0, endMs: T0 + 10 * 60 * MIN }]);
    expect(result.ok).toBe(false);
    expect(await held('big', 'res-a')).toEqual([]);
    expect(await held('big', 'res-b')).toEqual([]);
    expect((await held('big', lastResource)).every((item) => item.bookingId === 'bkg_blocker')).toBe(true);
    const free = await claim('big', 'bkg_big2', ['res-a', 'res-b', lastResource], [{ startMs: T0, endMs: T0 + 9 * 60 * MIN }]);
    expect(free.ok).toBe(true);
    expect(await held('big', 'res-a')).toHaveLength((9 * 60 * MIN) / CLAIM_GRANULE_MS);
  });

  it('an expired pending lease (a crash before confirm) is taken over; a confirmed claim is not; release frees only one\'s own', async () => {
    const range = [{ startMs: T0, endMs: T0 + 30 * MIN }];
    expect((await claim('lease', 'bkg_crashed', ['h'], range, NOW + 2 * MIN)).ok).toBe(true);
    expect((await claim('lease', 'bkg_next', ['h'], range, NOW + 6 * MIN, NOW + MIN)).ok).toBe(false);
    // The same booking retrying (same key) re-claims its own lease.
    expect((await claim('lease', 'bkg_crashed', ['h'], range, NOW + 3 * MIN, NOW + MIN)).ok).toBe(true);
    expect((await claim('lease', 'bkg_next', ['h'], range, NOW + 9 * MIN, NOW + 4 * MIN)).ok).toBe(true);
    await store.confirm({ tenantId: 'lease', bookingId: 'bkg_next', resources: ['h'], ranges: range });
    expect((await held('lease', 'h')).every((item) => item.state === 'confirmed' && item.bookingId === 'bkg_next')).toBe(true);
    expect((await claim('lease', 'bkg_late', ['h'], range, NOW + 99 * MIN, NOW + 60 * MIN)).ok).toBe(false);
    await store.release({ tenantId: 'lease', bookingId: 'bkg_crashed', resources: ['h'], ranges: range });
    expect(await held('lease', 'h')).toHaveLength(6);
    await store.release({ tenantId: 'lease', bookingId: 'bkg_next', resources: ['h'], ranges: range });
    expect(await held('lease', 'h')).toEqual([]);
  });

  it('keeps tenants apart: the same host id in another tenant is another resource', async () => {
    const range = [{ startMs: T0, endMs: T0 + 30 * MIN }];
    expect((await claim('ten-a', 'bkg_1', ['shared-id'], range)).ok).toBe(true);
    expect((await claim('ten-b', 'bkg_2', ['shared-id'], range)).ok).toBe(true);
  });
});
