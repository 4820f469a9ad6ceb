import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { DynamoConnectionStore } from '../../../shared/storage/dynamo-connection-store.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';
import { connection, localCipher, oauthCredentials, rejectionOf } from './builders.ts';

describe('DynamoConnectionStore', () => {
  let table: TestTable;
  let store: DynamoConnectionStore;

  beforeAll(async () => {
    table = await createTestTable('connections');
    store = new DynamoConnectionStore({ doc: table.doc, tableName: table.tableName, cipher: localCipher() });
  });

  it('saves a connection with credentials (version 1) and reads both back', async () => {
    const saved = await store.save(connection('t1', 'con_a'), oauthCredentials('at-1', 'rt-1'));

    expect(await store.get('t1', 'con_a')).toEqual(saved);
    expect(await store.getCredentials('t1', 'con_a')).toEqual({ credentials: oauthCredentials('at-1', 'rt-1'), version: 1 });
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.credentials('t1', 'con_a') }));
    expect(raw.Item).toMatchObject({ entity: 'credentials', version: 1, provider: 'google' });
  });

  it('replaces on reconnect and continues the credentials version', async () => {
    await store.save(connection('t1', 'con_re'), oauthCredentials('old-at', 'old-rt'));
    await store.save(connection('t1', 'con_re', { displayName: 'Reconnected' }), oauthCredentials('new-at', 'new-rt'));

    expect((await store.get('t1', 'con_re'))?.displayName).toBe('Reconnected');
    expect(await store.getCredentials('t1', 'con_re')).toEqual({ credentials: oauthCredentials('new-at', 'new-rt'), version: 2 });
  });

  it('updates only the patched fields and bumps the version', async () => {
    const saved = await store.save(connection('t1', 'con_u', { displayName: 'Kept' }), oauthCredentials('at'));

    const updated = await store.update('t1', 'con_u', saved.version, {
      status: 'error',
      consecutiveErrors: 1,
      lastError: { code: 'provider.unavailable', message: 'down', at: '2025-03-01T10:00:00.000Z' },
    });

    expect(updated).toEqual({ ...saved, status: 'error', consecutiveErrors: 1, lastError: updated.lastError, version: saved.version + 1 });
    expect(updated.displayName).toBe('Kept');
    expect(await store.get('t1', 'con_u')).toEqual(updated);
  });

  it('rejects an update from a stale version with a typed storage.conflict', async () => {
    const saved = await store.save(connection('t1', 'con_stale'), oauthCredentials('at'));
    await store.update('t1', 'con_stale', saved.version, { status: 'error' });

    const error = await rejectionOf(store.update('t1', 'con_stale', saved.version, { status: 'disabled' }));

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'storage.conflict', retryable: true });
    expect((await store.get('t1', 'con_stale'))?.status).toBe('error');
  });

  it('reports a missing connection as not found, and refuses fields outside the patch', async () => {
    expect(await rejectionOf(store.update('t1', 'con_missing', 0, { status: 'error' }))).toMatchObject({ code: 'resource.not_found' });
    const saved = await store.save(connection('t1', 'con_fields'), oauthCredentials('at'));
    const patch = { tenantId: 't2' } as unknown as { status: 'error' };
    expect(await rejectionOf(store.update('t1', 'con_fields', saved.version, patch))).toMatchObject({ code: 'internal.unexpected', retryable: false });
    expect((await store.get('t1', 'con_fields'))?.tenantId).toBe('t1');
  });

  it('pages through connections with an opaque cursor and no empty last page', async () => {
    for (const id of ['con_p1', 'con_p2', 'con_p3', 'con_p4', 'con_p5']) await store.save(connection('tp', id), oauthCredentials(`at-${id}`));

    const first = await store.list('tp', { limit: 2 });
    const second = await store.list('tp', { limit: 2, cursor: first.cursor });
    const third = await store.list('tp', { limit: 2, cursor: second.cursor });

    expect([first, second, third].map((page) => page.items.map((c) => c.id))).toEqual([['con_p1', 'con_p2'], ['con_p3', 'con_p4'], ['con_p5']]);
    expect(third.cursor).toBeNull();
    expect(first.cursor).not.toContain('con_p2');
    expect(JSON.stringify(first.items)).not.toContain('at-con_p1');
  });

  it('rejects forged or malformed cursors as input errors', async () => {
    const forged = [
      'not base64!',
      Buffer.from('{"sk":"CRED#con_p1"}').toString('base64url'),
      Buffer.from('{"pk":"T#other","sk":"CONN#a"}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('nope').toString('base64url'),
    ];
    for (const cursor of forged) {
      expect(await rejectionOf(store.list('tp', { limit: 2, cursor }))).toMatchObject({ code: 'input.invalid', details: { field: 'query.cursor' } });
    }
    expect(await rejectionOf(store.list('tp', { limit: 0 }))).toMatchObject({ code: 'input.invalid', details: { field: 'query.limit' } });
  });

  it('deletes the connection and its credentials; a second delete reports false', async () => {
    await store.save(connection('t1', 'con_del'), oauthCredentials('at'));

    expect(await store.delete('t1', 'con_del')).toBe(true);
    expect(await store.delete('t1', 'con_del')).toBe(false);

    expect(await store.get('t1', 'con_del')).toBeNull();
    expect(await store.getCredentials('t1', 'con_del')).toBeNull();
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.credentials('t1', 'con_del') }));
    expect(raw.Item).toBeUndefined();
  });

  it('replaces credentials only from the version read (rotating refresh tokens)', async () => {
    await store.save(connection('t1', 'con_rot'), oauthCredentials('at-0', 'rt-0'));

    const next = await store.putCredentials('t1', 'con_rot', oauthCredentials('at-1', 'rt-1'), 1);
    const stale = await rejectionOf(store.putCredentials('t1', 'con_rot', oauthCredentials('at-x', 'rt-x'), 1));

    expect(next.version).toBe(2);
    expect(stale).toMatchObject({ code: 'storage.conflict' });
    expect(await store.getCredentials('t1', 'con_rot')).toEqual({ credentials: oauthCredentials('at-1', 'rt-1'), version: 2 });
    expect(await rejectionOf(store.putCredentials('t1', 'con_none', oauthCredentials('a'), 1))).toMatchObject({ code: 'resource.not_found' });
  });

  it('lets exactly one of 20 concurrent refreshes from the same version store its token', async () => {
    await store.save(connection('t1', 'con_race'), oauthCredentials('at-0', 'rt-0'));

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.putCredentials('t1', 'con_race', oauthCredentials(`at-${i}`, `rt-${i}`), 1)),
    );

    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'storage.conflict' });
    }
    const stored = await store.getCredentials('t1', 'con_race');
    expect(stored).toEqual({ credentials: oauthCredentials(`at-${winners[0]}`, `rt-${winners[0]}`), version: 2 });
  });
});
