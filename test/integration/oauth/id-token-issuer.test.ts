import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthClient } from '../../../shared/ports/oauth-client.ts';
import { createOAuthClient as createGoogleOAuthClient } from '../../../shared/providers/google/index.ts';
import { createOAuthClient as createMicrosoftOAuthClient } from '../../../shared/providers/microsoft/index.ts';
import { loadConfig } from '../../../shared/runtime/config.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import type { GraphSimulator } from '../../simulators/microsoft/index.ts';
import { googleContext } from '../../support/google-provider.ts';
import { createTestStores, providerContext, startSimulator } from '../microsoft/support.ts';
import { TestClock, type TestStores } from '../../support/stores.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';

/** The whole code flow a user's browser would drive: authorize (auto consent) → code → exchange → identity. */
async function connect(client: OAuthClient, fetchAuthorize: (url: string) => Promise<Response> = (url) => fetch(url, { redirect: 'manual' })) {
  const verifier = randomBytes(32).toString('base64url');
  const url = client.authorizationUrl({ state: 'st', codeChallenge: createHash('sha256').update(verifier).digest('base64url'), redirectUri: REDIRECT });
  const redirect = await fetchAuthorize(url);
  const code = new URL(redirect.headers.get('location')!).searchParams.get('code');
  expect(code).toBeTruthy();
  const tokens = await client.exchangeCode({ code: code!, codeVerifier: verifier, redirectUri: REDIRECT });
  return { tokens, identity: await client.identity(tokens.accessToken) };
}

/** Reads the `iss` claim of the ID token the simulator answers with (to prove the test has teeth). */
function issuerOf(idToken: string): string {
  return (JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as { iss: string }).iss;
}

describe('issue 10 item 1: an ID token with another issuer never fails the code exchange (identity comes from userinfo / Graph /me)', () => {
  let stores: TestStores;
  const clock = new TestClock(Date.now());
  const google: GoogleSimulator[] = [];
  let graph: GraphSimulator | undefined;

  beforeAll(async () => {
    stores = await createTestStores(clock);
  });
  afterAll(async () => {
    await Promise.all(google.map((sim) => sim.stop()));
    await graph?.stop();
  });

  it('Google: a standards-following emulator whose ID tokens say iss = its own base URL', async () => {
    const emulatorIssuer = 'http://127.0.0.1:1/emulator';
    const sim = await startGoogleSimulator({ issuer: emulatorIssuer, autoConsentUser: 'ada@example.com' });
    google.push(sim);
    // The simulator really does answer with such an ID token (otherwise this test proves nothing).
    const direct = sim.issueTokens('ada@example.com', 'openid email');
    expect(direct.idToken && issuerOf(direct.idToken)).toBe(emulatorIssuer);

    const client = await createGoogleOAuthClient(googleContext(sim, stores, clock));
    const { tokens, identity } = await connect(client);
    expect(tokens.refreshToken).toBeTruthy();
    expect(identity).toMatchObject({ email: 'ada@example.com' });
    expect(identity.accountId).toBe(sim.user('ada@example.com')?.sub);
    // A refresh answer with the same ID token passes too.
    expect((await client.refresh(tokens.refreshToken!)).accessToken).toBeTruthy();
  });

  it('Google: GOOGLE_OAUTH_ISSUER is read from the environment, defaulting to Google’s', () => {
    expect(loadConfig({}).GOOGLE_OAUTH_ISSUER).toBe('https://accounts.google.com');
    expect(loadConfig({ GOOGLE_OAUTH_ISSUER: 'http://127.0.0.1:4000' }).GOOGLE_OAUTH_ISSUER).toBe('http://127.0.0.1:4000');
    expect(() => loadConfig({ GOOGLE_OAUTH_ISSUER: 'not a url' })).toThrow(/GOOGLE_OAUTH_ISSUER/);
  });

  it('Google: with GOOGLE_OAUTH_ISSUER set to the emulator’s issuer the flow works as well', async () => {
    const emulatorIssuer = 'http://127.0.0.1:2/other';
    const sim = await startGoogleSimulator({ issuer: emulatorIssuer, autoConsentUser: 'bob@example.com' });
    google.push(sim);
    const context = googleContext(sim, stores, clock);
    const client = await createGoogleOAuthClient({ ...context, settings: { ...context.settings, GOOGLE_OAUTH_ISSUER: emulatorIssuer } });
    const { identity } = await connect(client);
    expect(identity.email).toBe('bob@example.com');
  });

  it('Microsoft: an ID token with the tenant-specific issuer while we use the `common` authority', async () => {
    graph = await startSimulator({ autoConsentUser: 'megan@contoso.test', idTokenAlways: true });
    const client = await createMicrosoftOAuthClient(providerContext(graph, stores, clock));
    const { tokens, identity } = await connect(client);
    expect(identity).toMatchObject({ accountId: graph.user('megan@contoso.test').id, email: 'megan@contoso.test' });
    expect((await client.refresh(tokens.refreshToken!)).refreshToken).toBeTruthy();
  });

  it('Microsoft: an emulator whose ID tokens carry an entirely different issuer', async () => {
    const other = await startSimulator({ autoConsentUser: 'lee@contoso.test', idTokenAlways: true, idTokenIssuer: 'https://sts.emulator.test/v2.0' });
    try {
      const client = await createMicrosoftOAuthClient(providerContext(other, stores, clock));
      const { identity } = await connect(client);
      expect(identity.email).toBe('lee@contoso.test');
    } finally {
      await other.stop();
    }
  });
});
