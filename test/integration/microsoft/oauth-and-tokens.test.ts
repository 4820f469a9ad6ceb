import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { silentLog } from '../../../shared/ports/log.ts';
import { createOAuthClient, MICROSOFT_SCOPES } from '../../../shared/providers/microsoft/index.ts';
import { DEFAULT_SYNC_SETTINGS, syncCalendar } from '../../../shared/use-cases/sync/sync-calendar.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { RecordingPublisher, TestClock, type TestStores } from '../../support/stores.ts';
import { connectMailbox, createTestStores, graphProviderFor, providerContext, startSimulator } from './support.ts';

const TOKEN_ROUTE = 'POST /login/{tenant}/oauth2/v2.0/token';

describe('Microsoft identity platform through oauth4webapi, on the simulator', () => {
  let sim: GraphSimulator;
  let stores: TestStores;
  const clock = new TestClock(Date.now());

  beforeAll(async () => {
    sim = await startSimulator({ autoConsentUser: 'megan@contoso.test' });
    stores = await createTestStores(clock);
  });
  afterAll(() => sim?.stop());

  it('authorizes with PKCE S256 and minimal scopes, exchanges the code and reads the identity from /me', async () => {
    const client = await createOAuthClient(providerContext(sim, stores, clock));
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(client.authorizationUrl({ state: 'st-1', codeChallenge: createHash('sha256').update(verifier).digest('base64url'), redirectUri: 'http://127.0.0.1:9/cb' }));
    expect(url.origin + url.pathname).toBe(`${sim.endpoints.loginUrl}/common/oauth2/v2.0/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ scope: MICROSOFT_SCOPES, response_type: 'code', code_challenge_method: 'S256', state: 'st-1', client_id: 'test-graph-client' });

    const redirect = await fetch(url, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const tokens = await client.exchangeCode({ code, codeVerifier: verifier, redirectUri: 'http://127.0.0.1:9/cb' });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt).toBeGreaterThan(clock.now().getTime() + 3_000_000);
    expect(await client.identity(tokens.accessToken)).toMatchObject({ accountId: sim.user('megan@contoso.test').id, email: 'megan@contoso.test' });

    const rotated = await client.refresh(tokens.refreshToken!);
    expect(rotated.refreshToken).toBeTruthy();
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    // The old refresh token died with the rotation: reusing it is invalid_grant (AADSTS70000), never retried.
    const reuse = await client.refresh(tokens.refreshToken!).catch((error: unknown) => error);
    expect(isAppError(reuse, 'provider.auth_revoked')).toBe(true);
    expect((reuse as { details: { aadsts: string } }).details.aadsts).toBe('70000');

    const wrongVerifier = await client.exchangeCode({ code, codeVerifier: verifier, redirectUri: 'http://127.0.0.1:9/cb' }).catch((error: unknown) => error);
    expect(isAppError(wrongVerifier, 'provider.auth_revoked')).toBe(true);
  });

  it('scenario 14: 20 workers with an expired token make one refresh call, store the newest token and never see invalid_grant', async () => {
    const mailbox = await connectMailbox(sim, stores, clock, 'race-tenant', { accessTokenValidMs: -1 });
    const original = (await stores.connections.getCredentials('race-tenant', mailbox.connection.id))!.credentials;
    const logStart = sim.requestLog().length;
    sim.resetCounters();
    const workers = await Promise.all(Array.from({ length: 20 }, () => graphProviderFor(sim, stores, clock, mailbox.connection)));
    const results = await Promise.all(workers.map((worker) => worker.listCalendars()));
    expect(results.every((calendars) => calendars.length === 1)).toBe(true);
    expect(sim.counters()[TOKEN_ROUTE]).toBe(1);
    const stored = (await stores.connections.getCredentials('race-tenant', mailbox.connection.id))!;
    expect(stored.credentials).toMatchObject({ kind: 'oauth' });
    expect(stored.credentials.kind === 'oauth' && stored.credentials.refreshToken).not.toBe(original.kind === 'oauth' && original.refreshToken);

    // Graph rejects every access token (revoked at the service): each worker gets a 401, one refresh replaces it.
    sim.expireAccessTokens();
    sim.resetCounters();
    await Promise.all(workers.map((worker) => worker.listCalendars()));
    expect(sim.counters()[TOKEN_ROUTE]).toBe(1);

    // And at the next expiry the stored (rotated) token still works.
    clock.advance(3_600_000);
    sim.resetCounters();
    await Promise.all(workers.map((worker) => worker.listCalendars()));
    expect(sim.counters()[TOKEN_ROUTE]).toBe(1);
    expect(sim.requestLog().slice(logStart).filter((entry) => entry.path.endsWith('/token') && entry.status !== 200)).toEqual([]);
    expect(sim.requestLog().slice(logStart).filter((entry) => entry.status === 429)).toEqual([]);
  });

  it('turns a dead grant (AADSTS700082) into reauth_required with one event and no retry', async () => {
    const mailbox = await connectMailbox(sim, stores, clock, 'dead-tenant', { accessTokenValidMs: -1 });
    const publisher = new RecordingPublisher();
    const provider = await graphProviderFor(sim, stores, clock, mailbox.connection);
    sim.failTokenRefresh({ aadsts: 700082, user: mailbox.userMail });
    sim.resetCounters();
    const outcome = await syncCalendar(
      { calendars: stores.calendars, events: stores.events, connections: stores.connections, providers: { forConnection: async () => provider }, publisher, clock, log: silentLog, settings: DEFAULT_SYNC_SETTINGS },
      { tenantId: 'dead-tenant', calendarId: mailbox.calendar.id, requestedAt: clock.now(), runId: 'run-dead' },
    );
    expect(outcome).toEqual({ status: 'reauth_required' });
    expect(sim.counters()[TOKEN_ROUTE]).toBe(1);
    expect((await stores.connections.get('dead-tenant', mailbox.connection.id))?.status).toBe('reauth_required');
    expect(publisher.ofType('connection.reauth_required')).toHaveLength(1);
    expect(publisher.ofType('connection.reauth_required')[0]!.data).toMatchObject({ error: { code: 'provider.auth_revoked' } });
  });
});
