import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomToken } from '../../../shared/domain/ids.ts';
import type { OAuthState } from '../../../shared/ports/oauth-state-store.ts';
import { DynamoIdempotencyStore } from '../../../shared/storage/dynamo-idempotency-store.ts';
import { DynamoOAuthStateStore } from '../../../shared/storage/dynamo-oauth-state-store.ts';
import { DynamoPushChannelIndex } from '../../../shared/storage/dynamo-push-channel-index.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { TTL_ATTRIBUTE } from '../../../shared/storage/table-schema.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { localCipher } from './builders.ts';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

function oauthState(overrides: Partial<OAuthState> = {}): OAuthState {
  return {
    state: randomToken(),
    tenantId: 't1',
    provider: 'google',
    codeVerifier: randomToken(48),
    redirectUri: 'http://localhost:3000/v1/oauth/google/callback',
    returnUrl: 'http://localhost:5173/connected',
    createdAt: NOW.toISOString(),
    expiresAt: NOW_SECONDS + 600,
    ...overrides,
  };
}

describe('DynamoOAuthStateStore', () => {
  let table: TestTable;
  let store: DynamoOAuthStateStore;

  beforeAll(async () => {
    table = await createTestTable('oauth');
    store = new DynamoOAuthStateStore({ doc: table.doc, tableName: table.tableName, cipher: localCipher() });
  });

  it('returns a state once; a replay gets null', async () => {
    const state = oauthState();
    await store.put(state);

    expect(await store.consume(state.state, NOW)).toEqual(state);
    expect(await store.consume(state.state, NOW)).toBeNull();
  });

  it('gives a state to exactly one of 20 concurrent consumers', async () => {
    const state = oauthState();
    await store.put(state);

    const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(state.state, NOW)));

    expect(results.filter((result) => result !== null)).toEqual([state]);
  });

  it('refuses unknown and expired (not yet TTL-deleted) states', async () => {
    const state = oauthState({ expiresAt: NOW_SECONDS + 60 });
    await store.put(state);

    expect(await store.consume(randomToken(), NOW)).toBeNull();
    expect(await store.consume(state.state, new Date((NOW_SECONDS + 60) * 1000))).toBeNull();
    // Still there (TTL lags), still refused later, and it was never handed out.
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.oauthState(state.state) }));
    expect(raw.Item).toBeDefined();
    expect(await store.consume(state.state, new Date((NOW_SECONDS + 3600) * 1000))).toBeNull();
  });

  it('stores the TTL as epoch seconds, keyed by a hash of the state', async () => {
    const state = oauthState();
    await store.put(state);
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.oauthState(state.state) }));
    expect(raw.Item).toMatchObject({ entity: 'oauth-state', [TTL_ATTRIBUTE]: state.expiresAt });
    expect(typeof raw.Item?.[TTL_ATTRIBUTE]).toBe('number');
    expect(JSON.stringify(raw.Item)).not.toContain(state.state);
    expect(JSON.stringify(raw.Item)).not.toContain(state.codeVerifier);
  });
});

describe('DynamoIdempotencyStore', () => {
  let table: TestTable;
  let store: DynamoIdempotencyStore;

  beforeAll(async () => {
    table = await createTestTable('idempotency');
    store = new DynamoIdempotencyStore({ doc: table.doc, tableName: table.tableName, clock: { now: () => NOW } });
  });

  it('claims a key once within its TTL, per tenant, and again after release or expiry', async () => {
    expect(await store.claim('t1', 'fanout:msg_1', 3600)).toBe(true);
    expect(await store.claim('t1', 'fanout:msg_1', 3600)).toBe(false);
    expect(await store.claim('t2', 'fanout:msg_1', 3600)).toBe(true);

    await store.release('t1', 'fanout:msg_1');
    expect(await store.claim('t1', 'fanout:msg_1', 60)).toBe(true);
    expect(await store.claim('t1', 'fanout:msg_1', 60, new Date(NOW.getTime() + 59_000))).toBe(false);
    expect(await store.claim('t1', 'fanout:msg_1', 60, new Date(NOW.getTime() + 60_000))).toBe(true);
  });

  it('lets one of 20 concurrent claims win', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('t1', 'job:concurrent', 600)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('stores the TTL as epoch seconds', async () => {
    await store.claim('t1', 'ttl-check', 86_400);
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.idempotency('t1', 'ttl-check') }));
    expect(raw.Item).toMatchObject({ entity: 'idempotency', [TTL_ATTRIBUTE]: NOW_SECONDS + 86_400 });
  });
});

describe('DynamoPushChannelIndex', () => {
  let table: TestTable;
  let now = NOW;
  let index: DynamoPushChannelIndex;

  beforeAll(async () => {
    table = await createTestTable('push');
    index = new DynamoPushChannelIndex({ doc: table.doc, tableName: table.tableName, clock: { now: () => now } });
  });

  const entry = {
    channelId: 'chn_01',
    kind: 'google-channel' as const,
    tenantId: 't1',
    connectionId: 'con_1',
    calendarId: 'cal_1',
    secretHash: 'sha256-of-token',
    expiresAt: '2025-03-08T12:00:00.000Z',
  };

  it('maps a channel id to its calendar, with the table TTL a day after channel expiry', async () => {
    await index.put(entry);

    expect(await index.get('chn_01')).toEqual(entry);
    expect(await index.get('chn_unknown')).toBeNull();
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.pushChannel('chn_01') }));
    expect(raw.Item).toMatchObject({
      entity: 'push-channel',
      channelExpiresAt: entry.expiresAt,
      [TTL_ATTRIBUTE]: Date.parse(entry.expiresAt) / 1000 + 86_400,
    });
  });

  it('hides an entry past its TTL and deletes on request', async () => {
    await index.put({ ...entry, channelId: 'chn_02' });
    now = new Date(Date.parse(entry.expiresAt) + 86_400_000);
    expect(await index.get('chn_02')).toBeNull();
    now = NOW;
    expect(await index.get('chn_02')).not.toBeNull();

    await index.delete('chn_02');
    expect(await index.get('chn_02')).toBeNull();
  });

  it('answers "unknown" for an id longer than any channel we create, instead of a key DynamoDB refuses', async () => {
    // Found by the route fuzz: a 5,000-character X-Goog-Channel-ID made the key too long and the push a 500.
    expect(await index.get('x'.repeat(5000))).toBeNull();
    expect(await index.get('é'.repeat(200))).toBeNull();
  });
});
