import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookEndpoint } from '../../../shared/domain/webhook-endpoint.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import type { SealedSecretRekeyStore } from '../../../shared/ports/sealed-secret-rekey.ts';
import { DynamoConnectionStore } from '../../../shared/storage/dynamo-connection-store.ts';
import { DynamoSealedSecretRekeyStore } from '../../../shared/storage/dynamo-sealed-secret-rekey-store.ts';
import { DynamoVideoConnectionStore } from '../../../shared/storage/dynamo-video-connection-store.ts';
import { DynamoWebhookEndpointStore } from '../../../shared/storage/dynamo-webhook-endpoint-store.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { rotateSealedSecrets } from '../../../shared/use-cases/rotate-sealed-secrets.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { TestClock, testConnection } from '../../support/stores.ts';

/**
 * Scenario 16, key rotation (issue 10 item 6): every sealed secret of the table (connection credentials,
 * webhook signing secrets, Zoom connection credentials) is sealed again under the current key by a resumable job; after two rotations,
 * a process that holds only the newest key opens everything, i.e. both older key versions can be retired.
 */
const CONNECTIONS = 23;
const ENDPOINTS = 7;

let table: TestTable;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);
const clock = new TestClock('2026-11-23T12:00:00Z');

const cipherOf = (key: Buffer, previous: Buffer[] = []) => new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key, previousKeys: previous }) });
const storesOf = (cipher: EnvelopeCredentialCipher) => ({
  connections: new DynamoConnectionStore({ doc: table.doc, tableName: table.tableName, cipher }),
  endpoints: new DynamoWebhookEndpointStore({ doc: table.doc, tableName: table.tableName, cipher }),
  rekey: new DynamoSealedSecretRekeyStore({ doc: table.doc, tableName: table.tableName, cipher }),
  video: new DynamoVideoConnectionStore({ doc: table.doc, tableName: table.tableName, cipher }),
});
const VIDEO = 3;
const videoConnections = Array.from({ length: VIDEO }, (_v, i) => ({
  tenantId: `rot-tenant-${i}`,
  id: `vcon_rot${i}`,
  provider: 'zoom' as const,
  kind: 's2s' as const,
  accountId: `acct-${i}`,
  userId: `zu-${i}`,
  userEmail: null,
  status: 'active' as const,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
}));
const keyIdOf = (key: Buffer) => new LocalKeyWrapper({ key }).keyId;

function endpoint(tenantId: string, i: number): WebhookEndpoint {
  return {
    tenantId,
    id: `whe_01JB3Y6M2QH9N7S5V4T0W8R${String(i).padStart(3, '0')}`,
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    description: null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
  };
}

const credentialsOf = (i: number, accessToken = `access-${i}`) => ({ kind: 'oauth' as const, accessToken, refreshToken: `refresh-${i}`, expiresAt: 1_800_000_000_000 + i, scope: 'calendar' });
const connections = Array.from({ length: CONNECTIONS }, (_v, i) => testConnection(`rot-tenant-${i % 4}`, { accountId: `user-${i}`, accountEmail: `user-${i}@example.com` }));
const endpoints = Array.from({ length: ENDPOINTS }, (_v, i) => endpoint(`rot-tenant-${i % 3}`, i));

/** What every secret decrypts to with `cipher` (throws if any does not open). */
async function openEverything(cipher: EnvelopeCredentialCipher) {
  const stores = storesOf(cipher);
  const credentials = await Promise.all(connections.map(async (c) => (await stores.connections.getCredentials(c.tenantId, c.id))!.credentials));
  const secrets = await Promise.all(endpoints.map(async (e) => (await stores.endpoints.getWithSecrets(e.tenantId, e.id, clock.now()))!.secrets));
  const video = await Promise.all(videoConnections.map(async (v) => (await stores.video.getCredentials(v.tenantId, v.id))!.credentials));
  return { credentials, secrets, video };
}

async function storedKeyIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const c of connections) ids.push(((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.credentials(c.tenantId, c.id) }))).Item!.sealed as { keyId: string }).keyId);
  for (const v of videoConnections) ids.push(((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: `T#${v.tenantId}`, sk: `VCON#${v.id}` } }))).Item!.sealed as { keyId: string }).keyId);
  for (const e of endpoints) ids.push(((await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.webhookEndpoint(e.tenantId, e.id) }))).Item!.sealedSecrets as { keyId: string }).keyId);
  return ids;
}

/** Runs the job the way Lambda would when its time runs out after `pagesPerRun` pages: again and again until done. */
async function rotateInRuns(store: SealedSecretRekeyStore, pagesPerRun: number) {
  let runs = 0;
  for (;;) {
    runs += 1;
    let pages = 0;
    const progress = await rotateSealedSecrets({ store, clock, log: silentLog }, { pageSize: 5, hasTime: () => pages++ < pagesPerRun });
    if (progress.completedAt !== null) return { progress, runs };
    if (runs > 100) throw new Error('rotation did not complete');
  }
}

describe('key rotation re-encrypts every sealed secret (DynamoDB Local)', () => {
  let original: Awaited<ReturnType<typeof openEverything>>;

  beforeAll(async () => {
    table = await createTestTable('key-rotation');
    const stores = storesOf(cipherOf(keyA));
    for (const [i, c] of connections.entries()) await stores.connections.save(c, credentialsOf(i));
    for (const [i, v] of videoConnections.entries()) await stores.video.save(v, { kind: 'zoom_s2s', clientId: `client-${i}`, clientSecret: `secret-${i}` });
    for (const [i, e] of endpoints.entries()) await stores.endpoints.create(e, `whsec_${randomBytes(24).toString('base64')}${i}`.slice(0, 60));
    original = await openEverything(cipherOf(keyA));
    expect(new Set(await storedKeyIds())).toEqual(new Set([keyIdOf(keyA)]));
  });

  it('rotates A → B → C, resuming across runs; then only C is needed and A and B are retired', async () => {
    // First rotation: the new key B is current, A is kept to open what it sealed.
    const first = await rotateInRuns(storesOf(cipherOf(keyB, [keyA])).rekey, 2);
    expect(first.runs).toBeGreaterThan(1); // it really was cut short and resumed
    expect(first.progress).toMatchObject({ resealed: CONNECTIONS + ENDPOINTS + VIDEO, alreadyCurrent: 0, changedMeanwhile: 0, keyId: keyIdOf(keyB) });
    expect(new Set(await storedKeyIds())).toEqual(new Set([keyIdOf(keyB)]));
    await expect(openEverything(cipherOf(keyA))).rejects.toThrow(); // the old key alone opens nothing any more

    // A token refresh under B between rotations, then the second rotation: A is retired already.
    const underB = storesOf(cipherOf(keyB));
    const stored = (await underB.connections.getCredentials(connections[0]!.tenantId, connections[0]!.id))!;
    await underB.connections.putCredentials(connections[0]!.tenantId, connections[0]!.id, credentialsOf(0, 'access-0-refreshed'), stored.version);
    original.credentials[0] = credentialsOf(0, 'access-0-refreshed');

    const second = await rotateInRuns(storesOf(cipherOf(keyC, [keyB])).rekey, 3);
    expect(second.progress).toMatchObject({ resealed: CONNECTIONS + ENDPOINTS + VIDEO, alreadyCurrent: 0, keyId: keyIdOf(keyC) });
    expect(new Set(await storedKeyIds())).toEqual(new Set([keyIdOf(keyC)]));

    // Both older key versions retired: a process with only C opens every secret, unchanged.
    expect(await openEverything(cipherOf(keyC))).toEqual(original);
    // And a further run finds nothing to do.
    const again = await rotateSealedSecrets({ store: storesOf(cipherOf(keyC)).rekey, clock, log: silentLog }, { restart: true });
    expect(again).toMatchObject({ resealed: 0, alreadyCurrent: CONNECTIONS + ENDPOINTS + VIDEO });
  });

  it('never overwrites a write that happened between listing and resealing (a refresh wins)', async () => {
    const cipher = cipherOf(keyA, [keyC]);
    const { rekey, connections: store } = storesOf(cipher);
    const [target] = connections;
    const [listed] = (await rekey.listSealed(null, 1000)).items.filter((item) => item.ownerId === target!.id);
    const stored = (await store.getCredentials(target!.tenantId, target!.id))!;
    await store.putCredentials(target!.tenantId, target!.id, credentialsOf(0, 'newer'), stored.version);
    expect(await rekey.reseal(listed!)).toBeNull();
    expect((await store.getCredentials(target!.tenantId, target!.id))!.credentials).toMatchObject({ accessToken: 'newer' });
  });
});
