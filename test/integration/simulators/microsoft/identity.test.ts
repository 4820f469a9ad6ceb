import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, trustSimulatorCa, type GraphSimulator } from '../../../simulators/microsoft/index.ts';
import { httpsCall, pkcePair, testCa } from './support.ts';

const CLIENT_ID = 'a1b2c3d4-0000-4000-8000-00000000c11e';
const CLIENT_SECRET = 'sim-secret';
const REDIRECT_URI = 'http://localhost:3000/oauth/microsoft/callback';
const SCOPE = 'openid offline_access https://graph.microsoft.com/Calendars.ReadWrite';

describe('identity platform (authorize, token, rotation)', () => {
  const ca = testCa();
  let sim: GraphSimulator;
  let clock = Date.parse('2025-03-01T10:00:00Z');

  beforeAll(async () => {
    sim = await startGraphSimulator({
      tls: ca, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, autoConsentUser: 'megan@contoso.test',
      accessTokenLifetimeSeconds: 600, now: () => new Date(clock),
    });
  });

  afterAll(() => sim.stop());

  const authorizeUrl = (params: Record<string, string>, tenant = 'common') =>
    `${sim.endpoints.loginUrl}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: SCOPE, ...params })}`;

  const token = (form: Record<string, string>, tenant = 'common') =>
    httpsCall(`${sim.endpoints.loginUrl}/${tenant}/oauth2/v2.0/token`, ca.caCert, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...form }).toString(),
    });

  async function authorize(scope = SCOPE): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const response = await httpsCall(authorizeUrl({ scope, state: 's1', code_challenge: challenge, code_challenge_method: 'S256' }), ca.caCert);
    const location = new URL(response.headers.location!);
    return { code: location.searchParams.get('code')!, verifier };
  }

  it('authorize redirects to the exact redirect_uri with code and state (tenant common, organizations or the id)', async () => {
    const { challenge } = pkcePair();

    const responses = await Promise.all(['common', 'organizations', sim.tenantId].map((tenant) =>
      httpsCall(authorizeUrl({ state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' }, tenant), ca.caCert)));
    const unknownTenant = await httpsCall(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }, 'not-a-tenant'), ca.caCert);

    for (const response of responses) {
      expect(response.status).toBe(302);
      const location = new URL(response.headers.location!);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.searchParams.get('state')).toBe('xyz');
      expect(location.searchParams.get('code')).toMatch(/\S{20,}/);
    }
    expect(unknownTenant.status).toBe(400);
    expect(unknownTenant.text).toContain('AADSTS90002');
  });

  it('requires PKCE S256 on authorize', async () => {
    const missing = await httpsCall(authorizeUrl({ state: 'a' }), ca.caCert);
    const plain = await httpsCall(authorizeUrl({ state: 'a', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }), ca.caCert);

    expect(new URL(missing.headers.location!).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(missing.headers.location!).searchParams.get('error_description')).toMatch(/^AADSTS9002325/);
    expect(new URL(plain.headers.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('redeems a code once, verifying the PKCE verifier and the exact redirect_uri', async () => {
    const wrongVerifier = await authorize();
    const wrongRedirect = await authorize();
    const good = await authorize();

    const badPkce = await token({ grant_type: 'authorization_code', code: wrongVerifier.code, redirect_uri: REDIRECT_URI, code_verifier: pkcePair().verifier });
    const badRedirect = await token({ grant_type: 'authorization_code', code: wrongRedirect.code, redirect_uri: `${REDIRECT_URI}/`, code_verifier: wrongRedirect.verifier });
    const ok = await token({ grant_type: 'authorization_code', code: good.code, redirect_uri: REDIRECT_URI, code_verifier: good.verifier });
    const again = await token({ grant_type: 'authorization_code', code: good.code, redirect_uri: REDIRECT_URI, code_verifier: good.verifier });

    expect(badPkce.status).toBe(400);
    expect(badPkce.json).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    expect(badRedirect.json).toMatchObject({ error: 'invalid_grant', error_codes: [500112] });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(typeof ok.json.access_token).toBe('string');
    expect(typeof ok.json.refresh_token).toBe('string');
    expect(again.json).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  it('checks the client secret', async () => {
    const { code, verifier } = await authorize();

    const response = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_secret: 'wrong' });

    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  });

  it('issues a refresh token only when the scope includes offline_access', async () => {
    const { code, verifier } = await authorize('https://graph.microsoft.com/Calendars.Read');

    const response = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });

    expect(response.status).toBe(200);
    expect(response.json.refresh_token).toBeUndefined();
    expect(response.json.scope).toBe('https://graph.microsoft.com/Calendars.Read');
  });

  it('rotates refresh tokens on every use: the old one is refused with invalid_grant AADSTS70000', async () => {
    const first = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token!;

    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first });
    const reused = await token({ grant_type: 'refresh_token', refresh_token: first });
    const next = await token({ grant_type: 'refresh_token', refresh_token: rotated.json.refresh_token });

    expect(rotated.status).toBe(200);
    expect(rotated.json.refresh_token).not.toBe(first);
    expect(reused.status).toBe(400);
    expect(reused.json.error).toBe('invalid_grant');
    expect(reused.json.error_codes).toEqual([70000]);
    expect(reused.json.error_description).toMatch(/^AADSTS70000: /);
    expect(next.status).toBe(200);
  });

  it('of 20 concurrent refreshes with one token exactly one succeeds', async () => {
    const refreshToken = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token!;

    const results = await Promise.all(Array.from({ length: 20 }, () => token({ grant_type: 'refresh_token', refresh_token: refreshToken })));

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const failures = results.filter((r) => r.status !== 200);
    expect(failures).toHaveLength(19);
    for (const failure of failures) expect(failure.json).toMatchObject({ error: 'invalid_grant', error_codes: [70000] });
  });

  it('failTokenRefresh makes current refresh tokens fail with AADSTS700082 or 50173', async () => {
    const inactive = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token!;
    sim.failTokenRefresh({ aadsts: 700082 });
    const revoked = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token!;
    sim.failTokenRefresh({ aadsts: 50173, user: 'megan@contoso.test' });

    const a = await token({ grant_type: 'refresh_token', refresh_token: inactive });
    const b = await token({ grant_type: 'refresh_token', refresh_token: revoked });
    const fresh = await token({ grant_type: 'refresh_token', refresh_token: sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token! });

    expect(a.json).toMatchObject({ error: 'invalid_grant', error_codes: [700082] });
    expect(a.json.error_description).toMatch(/^AADSTS700082: The refresh token has expired due to inactivity/);
    expect(b.json).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    expect(fresh.status).toBe(200);
  });

  it('refresh tokens die after 90 days without use', async () => {
    const refreshToken = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID }).refresh_token!;
    clock += 91 * 86_400_000;

    const response = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });

    expect(response.json).toMatchObject({ error: 'invalid_grant', error_codes: [700082] });
  });

  it('an expired access token gets 401 InvalidAuthenticationToken from Graph', async () => {
    const { access_token } = sim.issueTokens('megan@contoso.test', { clientId: CLIENT_ID });
    const before = await httpsCall(`${sim.origin}/v1.0/me`, ca.caCert, { token: access_token });
    clock += 601_000;

    const after = await httpsCall(`${sim.origin}/v1.0/me`, ca.caCert, { token: access_token });

    expect(before.status).toBe(200);
    expect(before.json.mail).toBe('megan@contoso.test');
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('InvalidAuthenticationToken');
    expect(after.json.error.message).toContain('expired');
    expect(after.headers['www-authenticate']).toMatch(/^Bearer /);
  });

  it('works end to end with oauth4webapi (code flow with PKCE, ID token, refresh)', async () => {
    trustSimulatorCa(ca.caCert);
    const authority = `${sim.endpoints.loginUrl}/${sim.tenantId}`;
    const as: oauth.AuthorizationServer = {
      issuer: `${authority}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
    };
    const client: oauth.Client = { client_id: CLIENT_ID };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: SCOPE, state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    const redirect = await fetch(url, { redirect: 'manual' });
    const params = oauth.validateAuthResponse(as, client, new URL(redirect.headers.get('location')!), state);

    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(CLIENT_SECRET), params, REDIRECT_URI, verifier);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretPost(CLIENT_SECRET), tokens.refresh_token!));
    const reuse = oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretPost(CLIENT_SECRET), tokens.refresh_token!));

    expect(oauth.getValidatedIdTokenClaims(tokens)?.preferred_username).toBe('megan@contoso.test');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant', cause: { error_codes: [70000] } });
  });
});
