import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingTypeStore } from '../../../shared/storage/dynamo-booking-type-store.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { DynamoSealedSecretRekeyStore } from '../../../shared/storage/dynamo-sealed-secret-rekey-store.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';
import { rotateSealedSecrets } from '../../../shared/use-cases/rotate-sealed-secrets.ts';
import { DynamoRateLimiter } from '../../../shared/storage/dynamo-rate-limiter.ts';
import { DynamoSigningKeys } from '../../../shared/storage/dynamo-signing-keys.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createBookingType, deleteBookingType, updateBookingType, type BookingTypeInput } from '../../../shared/use-cases/bookings/manage-booking-types.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { TestClock } from '../../support/stores.ts';
import { localCipher } from '../storage/builders.ts';

let table: TestTable;
let limiter: DynamoRateLimiter;
const clock = new TestClock('2026-12-07T12:00:00Z');
const intro: BookingTypeInput = { name: 'Intro', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: ['cal_a'], scheduleId: 'sch_a', writeCalendarId: 'cal_a' }] };

beforeAll(async () => {
  table = await createTestTable('public-booking');
  limiter = new DynamoRateLimiter({ doc: table.doc, tableName: table.tableName });
});

describe('token buckets in DynamoDB', () => {
  it('of 50 concurrent takes from a bucket of 10, exactly 10 are granted; the rest learn when to retry', async () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const limit = { capacity: 10, refillPerMinute: 6 };
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take('ip:203.0.113.7', limit, now)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    for (const refused of decisions.filter((d) => !d.allowed)) expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(10_000);
    // Other buckets are untouched; the refill comes at the rate.
    expect((await limiter.take('ip:203.0.113.8', limit, now)).allowed).toBe(true);
    expect((await limiter.take('ip:203.0.113.7', limit, now + 9_999)).allowed).toBe(false);
    expect((await limiter.take('ip:203.0.113.7', limit, now + 10_000)).allowed).toBe(true);
    expect((await limiter.take('ip:203.0.113.7', limit, now + 10_000)).allowed).toBe(false);
  });

  it('holds the limit when concurrent requests read clocks a little apart (instances skewed by up to 200 ms)', async () => {
    const now = Date.parse('2026-12-07T15:00:00Z');
    const limit = { capacity: 10, refillPerMinute: 6 };
    const decisions = await Promise.all(Array.from({ length: 50 }, (_, i) => limiter.take('ip:203.0.113.99', limit, now + ((i * 37) % 200))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });

  it('resets a bucket written by a clock far ahead instead of locking the client out', async () => {
    const now = Date.parse('2026-12-07T14:00:00Z');
    const limit = { capacity: 2, refillPerMinute: 60 };
    for (let i = 0; i < 3; i++) await limiter.take('ip:192.0.2.44', limit, now + 86_400_000);
    expect(await limiter.take('ip:192.0.2.44', limit, now)).toEqual({ allowed: true });
    expect(await limiter.take('ip:192.0.2.44', limit, now)).toEqual({ allowed: true });
    expect(await limiter.take('ip:192.0.2.44', limit, now)).toEqual({ allowed: false, retryAfterMs: 1000 });
  });

  it('keeps one item per bucket with a TTL, its key hashed (no client address in the table)', async () => {
    const now = Date.parse('2026-12-07T13:00:00Z');
    await limiter.take('ip:198.51.100.1', { capacity: 3, refillPerMinute: 60 }, now);
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.rateBucket('ip:198.51.100.1') }));
    expect(Item).toMatchObject({ entity: 'rate-bucket', fullAtMs: now + 1000 });
    expect(JSON.stringify(Item)).not.toContain('198.51.100.1');
    // Expires only after the bucket would be full again anyway (3 s here), plus a margin.
    expect(Item!.expiresAt * 1000).toBeGreaterThanOrEqual(now + 3000);
    expect(Item!.expiresAt * 1000).toBeLessThanOrEqual(now + 3000 + 61_000);
  });
});

describe('the manage token signing key', () => {
  it('is made once, sealed, and the same for every instance (concurrent first use included)', async () => {
    const cipher = localCipher();
    const instances = Array.from({ length: 5 }, () => new DynamoSigningKeys({ doc: table.doc, tableName: table.tableName, cipher }));
    const got = await Promise.all(instances.map((instance) => instance.manageTokenKey()));
    expect(got[0]).toHaveLength(32);
    for (const key of got) expect(Buffer.from(key).equals(Buffer.from(got[0]!))).toBe(true);
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.signingKey('booking-manage-token') }));
    expect(Item).toMatchObject({ entity: 'signing-key', sealedKey: { alg: 'A256GCM' } });
    expect(JSON.stringify(Item)).not.toContain(Buffer.from(got[0]!).toString('base64'));
  });
});

describe('the signing key under key rotation', () => {
  it('is resealed by the secret-rekey job: after A → B only B is needed, and the key (so every link sent) is unchanged', async () => {
    const own = await createTestTable('signing-rotation');
    const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
    const cipherOf = (key: Buffer, previous: Buffer[] = []) => new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key, previousKeys: previous }) });
    const signingKeysOf = (cipher: EnvelopeCredentialCipher) => new DynamoSigningKeys({ doc: own.doc, tableName: own.tableName, cipher });
    const original = await signingKeysOf(cipherOf(keyA)).manageTokenKey();
    const progress = await rotateSealedSecrets({ store: new DynamoSealedSecretRekeyStore({ doc: own.doc, tableName: own.tableName, cipher: cipherOf(keyB, [keyA]) }), clock, log: silentLog }, {});
    expect(progress).toMatchObject({ resealed: 1, completedAt: expect.any(String) });
    await expect(signingKeysOf(cipherOf(keyA)).manageTokenKey()).rejects.toThrow();
    expect(Buffer.from(await signingKeysOf(cipherOf(keyB)).manageTokenKey()).equals(Buffer.from(original))).toBe(true);
  });
});

describe('public booking pages by public id', () => {
  it('finds a public booking type from its public id alone; not after it is made private with another id, deleted, or for a made-up id', async () => {
    const store = new DynamoBookingTypeStore({ doc: table.doc, tableName: table.tableName });
    const deps = { bookingTypes: store, clock };
    const shown = await createBookingType(deps, 'acme', { ...intro, public: true });
    expect(shown.publicId).toMatch(/^pub_[A-Za-z0-9_-]{22}$/);
    expect((await store.findByPublicId(shown.publicId!))?.id).toBe(shown.id);
    expect(await store.findByPublicId('pub_AAAAAAAAAAAAAAAAAAAAAA')).toBeNull();

    // A private type gets its public id (and its pointer) when made public by a patch.
    const hidden = await createBookingType(deps, 'acme', intro);
    expect(hidden.publicId).toBeUndefined();
    const published = await updateBookingType(deps, 'acme', hidden.id, { public: true });
    expect((await store.findByPublicId(published.publicId!))?.tenantId).toBe('acme');
    // Public again later: the same id (links already shared keep working).
    await updateBookingType(deps, 'acme', hidden.id, { public: false });
    expect((await updateBookingType(deps, 'acme', hidden.id, { public: true })).publicId).toBe(published.publicId);

    await deleteBookingType(deps, 'acme', shown.id);
    expect(await store.findByPublicId(shown.publicId!)).toBeNull();
  });
});
