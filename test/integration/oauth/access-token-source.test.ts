import { beforeEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../../shared/domain/app-error.ts';
import type { OAuthCredentials } from '../../../shared/domain/connection.ts';
import type { TokenSet } from '../../../shared/ports/oauth-client.ts';
import { AccessTokenSource } from '../../../shared/providers/oauth/access-token-source.ts';
import { createTestStores, TestClock, testConnection, type TestStores } from '../../support/stores.ts';

/** Like Microsoft's token endpoint: every refresh rotates the refresh token and kills the old one. */
class RotatingTokenServer {
  current = 'rt-0';
  calls = 0;
  invalidGrants = 0;
  private readonly clock: TestClock;
  constructor(clock: TestClock) {
    this.clock = clock;
  }
  async refresh(refreshToken: string): Promise<TokenSet> {
    this.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, 30)); // a real round trip
    if (refreshToken !== this.current) {
      this.invalidGrants += 1;
      throw new AppError('provider.auth_revoked', 'invalid_grant (AADSTS70000: refresh token already used)', { retryable: false });
    }
    this.current = `rt-${this.calls}`;
    return { accessToken: `at-${this.calls}`, refreshToken: this.current, expiresAt: this.clock.now().getTime() + 3_600_000, scope: 'offline_access' };
  }
}

describe('AccessTokenSource', () => {
  let stores: TestStores;
  let clock: TestClock;
  let server: RotatingTokenServer;
  const connection = testConnection('acme', { provider: 'microsoft' });
  const expired: OAuthCredentials = { kind: 'oauth', accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: Date.parse('2026-11-23T11:59:00Z'), scope: null };

  const source = () =>
    new AccessTokenSource({ connections: stores.connections, client: server, clock, tenantId: 'acme', connectionId: connection.id, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });

  beforeEach(async () => {
    clock = new TestClock('2026-11-23T12:00:00Z');
    stores = await createTestStores(clock);
    server = new RotatingTokenServer(clock);
    await stores.connections.save(connection, expired);
  });

  it('scenario 14: 20 workers at expiry make one refresh call and all get the newest token', async () => {
    const workers = Array.from({ length: 20 }, () => source());
    const tokens = await Promise.all(workers.map((worker) => worker.accessToken()));
    expect(server.calls).toBe(1);
    expect(server.invalidGrants).toBe(0);
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    const stored = await stores.connections.getCredentials('acme', connection.id);
    expect(stored?.credentials).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });

    // The next expiry: still one call, using the rotated token, no invalid_grant.
    clock.advance(3_600_000);
    await Promise.all(workers.map((worker) => worker.accessToken()));
    expect(server.calls).toBe(2);
    expect(server.invalidGrants).toBe(0);
    expect((await stores.connections.getCredentials('acme', connection.id))?.credentials).toMatchObject({ refreshToken: 'rt-2' });
  });

  it('uses a fresh token without refreshing and refreshes once after a 401', async () => {
    await stores.connections.putCredentials('acme', connection.id, { ...expired, expiresAt: clock.now().getTime() + 3_600_000 }, 1);
    const worker = source();
    expect(await worker.accessToken()).toBe('at-0');
    expect(server.calls).toBe(0);
    expect(await worker.refreshAfterRejection('at-0')).toBe('at-1');
    expect(server.calls).toBe(1);
    // A second worker that saw the same rejected token reuses the replacement.
    expect(await source().refreshAfterRejection('at-0')).toBe('at-1');
    expect(server.calls).toBe(1);
  });

  it('passes invalid_grant through as auth_revoked and leaves the stored tokens alone', async () => {
    server.current = 'rt-revoked';
    const error = await source().accessToken().catch((e: unknown) => e);
    expect(isAppError(error, 'provider.auth_revoked')).toBe(true);
    expect((await stores.connections.getCredentials('acme', connection.id))?.credentials).toEqual(expired);
  });
});
