import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDynamoDocumentClient } from '../../../shared/storage/dynamo-client.ts';
import { createCredentialCipher } from '../../../shared/storage/encryption/create-credential-cipher.ts';
import { TtlCache } from '../../../shared/storage/encryption/ttl-cache.ts';

const base = { AWS_REGION: 'us-east-1', KMS_KEY_ID: undefined, LOCAL_ENCRYPTION_KEY: undefined };

describe('createCredentialCipher', () => {
  it('uses the local key only in the local stack', async () => {
    const key = randomBytes(32).toString('base64');
    const cipher = createCredentialCipher({ ...base, isLocal: true, LOCAL_ENCRYPTION_KEY: key });
    const sealed = await cipher.seal('secret', { tenantId: 't' });
    expect(sealed.keyId).toMatch(/^local:/);
    expect(await cipher.open(sealed, { tenantId: 't' })).toBe('secret');

    expect(() => createCredentialCipher({ ...base, isLocal: false, LOCAL_ENCRYPTION_KEY: key })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
    expect(() => createCredentialCipher({ ...base, isLocal: true })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
  });

  it('prefers KMS whenever a key id is configured', () => {
    expect(() => createCredentialCipher({ ...base, isLocal: false, KMS_KEY_ID: 'alias/calendar' })).not.toThrow();
  });
});

describe('createDynamoDocumentClient', () => {
  it('uses fixed local credentials for DynamoDB Local and drops undefined attributes', async () => {
    const doc = createDynamoDocumentClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' });
    expect(await doc.config.credentials()).toMatchObject({ accessKeyId: 'local' });
    expect(await doc.config.region()).toBe('eu-west-1');
    expect(doc.config.translateConfig?.marshallOptions).toEqual({ removeUndefinedValues: true, convertClassInstanceToMap: false });
  });
});

describe('TtlCache', () => {
  it('expires entries and evicts the oldest beyond its bound', () => {
    let now = 0;
    const cache = new TtlCache<string, number>({ maxEntries: 2, ttlMs: 10, now: () => now });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
    now = 10;
    expect(cache.get('b')).toBeUndefined();
  });
});
