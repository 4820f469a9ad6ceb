import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../shared/domain/connection.ts';
import { stableId } from '../../shared/domain/ids.ts';
import { connectionStore } from '../../shared/runtime/deps/storage.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.stop());

function connectionOf(tenantId: string, accountId: string): Connection {
  const now = new Date().toISOString();
  return {
    tenantId,
    id: stableId('con', tenantId, 'google', accountId),
    provider: 'google',
    status: 'active',
    accountId,
    accountEmail: `${accountId}@example.com`,
    displayName: null,
    serverUrl: null,
    consecutiveErrors: 0,
    lastError: null,
    lastSyncedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 0,
  };
}

describe('foundation through the local stack', () => {
  it('serves /health and the OpenAPI document without a token', async () => {
    const health = await stack.api('/health', { token: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const openapi = (await (await stack.api('/openapi.json', { token: null })).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain('/v1/connections/{id}');
  });

  it('lists no connections for a new tenant with the development token', async () => {
    const response = await stack.api('/v1/connections');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [], nextCursor: null });
  });

  it('answers 401 problem+json for a bad token and 400 naming the field for a malformed query', async () => {
    const unauthorized = await stack.api('/v1/connections', { token: 'nope' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toBe('application/problem+json');
    const badQuery = await stack.api('/v1/connections?limit=0');
    expect(badQuery.status).toBe(400);
    const problem = (await badQuery.json()) as { errors: { field: string }[] };
    expect(problem.errors[0]!.field).toBe('query.limit');
  });

  it('keeps tenants apart and disconnects with a connection.deleted event', async () => {
    const mine = connectionOf(stack.devTenantId, 'ada');
    const theirs = connectionOf('other-tenant', 'ada');
    await connectionStore().save(mine, { kind: 'oauth', accessToken: 'at-mine', refreshToken: 'rt-mine', expiresAt: Date.now() + 3_600_000, scope: null });
    await connectionStore().save(theirs, { kind: 'oauth', accessToken: 'at-theirs', refreshToken: 'rt-theirs', expiresAt: Date.now() + 3_600_000, scope: null });
    const otherToken = await stack.tokenFor('other-tenant');

    const listed = (await (await stack.api('/v1/connections')).json()) as { items: { id: string; accountEmail: string }[] };
    expect(listed.items.map((c) => c.id)).toEqual([mine.id]);
    expect(JSON.stringify(listed)).not.toContain('at-mine');
    expect((await stack.api(`/v1/connections/${theirs.id}`)).status).toBe(404);
    expect((await stack.api(`/v1/connections/${mine.id}`, { token: otherToken })).status).toBe(404);
    expect((await stack.api(`/v1/connections/${mine.id}`, { method: 'DELETE', token: otherToken })).status).toBe(404);

    const deleted = await stack.api(`/v1/connections/${mine.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await stack.api(`/v1/connections/${mine.id}`)).status).toBe(404);
    expect((await stack.api(`/v1/connections/${theirs.id}`, { token: otherToken })).status).toBe(200);
    const event = stack.bus.published.find((e) => e.type === 'connection.deleted');
    expect(event).toMatchObject({ tenantId: stack.devTenantId, data: { connectionId: mine.id, provider: 'google' } });
  });
});
