import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SealedSecret } from '../../../shared/ports/credential-cipher.ts';
import { DynamoConnectionStore, credentialsAad } from '../../../shared/storage/dynamo-connection-store.ts';
import { DynamoOAuthStateStore } from '../../../shared/storage/dynamo-oauth-state-store.ts';
import type { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { connection, localCipher, oauthCredentials, rejectionOf } from './builders.ts';

const secrets = {
  accessToken: 'ya29.access-token-PLAINTEXT-1f9c',
  refreshToken: '1//refresh-token-PLAINTEXT-77aa',
  caldavPassword: 'app-password-PLAINTEXT-qwer-tyui',
  codeVerifier: 'pkce-verifier-PLAINTEXT-0123456789abcdefghijklmnopqrstuv',
  state: 'oauth-state-PLAINTEXT-abcdefghijklmnop',
};

/** reliability.md §3 and scenario 16: a table dump holds no plaintext secret, and the sealed blobs are bound to their record. */
describe('secrets at rest', () => {
  let table: TestTable;
  let cipher: EnvelopeCredentialCipher;
  let dump: string;

  beforeAll(async () => {
    table = await createTestTable('secrets');
    cipher = localCipher();
    const connections = new DynamoConnectionStore({ doc: table.doc, tableName: table.tableName, cipher });
    const states = new DynamoOAuthStateStore({ doc: table.doc, tableName: table.tableName, cipher });
    await connections.save(connection('t1', 'con_g'), oauthCredentials(secrets.accessToken, secrets.refreshToken));
    await connections.save(connection('t1', 'con_dav', { provider: 'caldav', serverUrl: 'https://dav.example/' }), {
      kind: 'basic',
      username: 'alice',
      password: secrets.caldavPassword,
    });
    await states.put({
      state: secrets.state,
      tenantId: 't1',
      provider: 'microsoft',
      codeVerifier: secrets.codeVerifier,
      redirectUri: 'http://localhost:3000/v1/oauth/microsoft/callback',
      returnUrl: null,
      createdAt: '2025-03-01T12:00:00.000Z',
      expiresAt: 4_102_444_800,
    });
    const scan = await table.doc.send(new ScanCommand({ TableName: table.tableName }));
    dump = JSON.stringify(scan.Items);
  });

  it('contains no plaintext secret in a full table dump (raw or base64)', () => {
    expect(dump).toContain('con_g'); // the dump is real
    for (const secret of Object.values(secrets)) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });

  it('opens the stored blobs back to the secrets with the right associated data only', async () => {
    const sealedOf = async (connectionId: string) =>
      (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.credentials('t1', connectionId) }))).Item?.sealed as SealedSecret;
    const google = await sealedOf('con_g');
    const dav = await sealedOf('con_dav');

    expect(JSON.parse(await cipher.open(google, credentialsAad('t1', 'con_g', 'google')))).toMatchObject({ refreshToken: secrets.refreshToken });
    expect(JSON.parse(await cipher.open(dav, credentialsAad('t1', 'con_dav', 'caldav')))).toMatchObject({ password: secrets.caldavPassword });

    for (const wrongAad of [credentialsAad('t2', 'con_g', 'google'), credentialsAad('t1', 'con_dav', 'google'), credentialsAad('t1', 'con_g', 'microsoft')]) {
      expect(await rejectionOf(cipher.open(google, wrongAad))).toMatchObject({ code: 'internal.unexpected', retryable: false });
    }
    const flipped = Buffer.from(google.ciphertext, 'base64');
    flipped[0]! ^= 0x01;
    const error = await rejectionOf(cipher.open({ ...google, ciphertext: flipped.toString('base64') }, credentialsAad('t1', 'con_g', 'google')));
    expect(error).toMatchObject({ code: 'internal.unexpected', retryable: false });
    expect((error as Error).message).not.toContain(secrets.refreshToken);
  });
});
