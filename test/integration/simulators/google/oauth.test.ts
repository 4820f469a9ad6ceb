import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { startGoogleSimulator, type GoogleSimulator, type GoogleSimulatorOptions } from '../../../simulators/google/index.ts';
import { ALICE, eventsPath, manualClock } from './helpers.ts';

// Google OAuth (providers.md items 22–24) as our oauth4webapi code and plain HTTP see it.
const REDIRECT = 'http://127.0.0.1:3999/v1/oauth/google/callback';
const CALENDAR_SCOPE = 'openid email https://www.googleapis.com/auth/calendar';

let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup(options: GoogleSimulatorOptions = {}): Promise<GoogleSimulator> {
  sim = await startGoogleSimulator({ autoConsentUser: ALICE, ...options });
  return sim;
}

interface AuthorizeParams {
  verifier?: string;
  prompt?: string | null;
  accessType?: string;
  scope?: string;
  extra?: Record<string, string>;
}

async function authorizeUrl(google: GoogleSimulator, params: AuthorizeParams = {}): Promise<URL> {
  const url = new URL(google.endpoints.authorizeUrl);
  const query: Record<string, string> = {
    client_id: google.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: params.scope ?? CALENDAR_SCOPE,
    state: 'state-123',
    code_challenge: await oauth.calculatePKCECodeChallenge(params.verifier ?? 'v'.repeat(43)),
    code_challenge_method: 'S256',
    access_type: params.accessType ?? 'offline',
    include_granted_scopes: 'true',
    ...(params.prompt === null ? {} : { prompt: params.prompt ?? 'consent' }),
    ...params.extra,
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

async function authorize(google: GoogleSimulator, params: AuthorizeParams = {}): Promise<URL> {
  const response = await fetch(await authorizeUrl(google, params), { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') as string);
}

async function tokenRequest(google: GoogleSimulator, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(google.endpoints.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const clientForm = (google: GoogleSimulator) => ({ client_id: google.clientId, client_secret: google.clientSecret });

async function exchange(google: GoogleSimulator, params: AuthorizeParams = {}) {
  const verifier = params.verifier ?? oauth.generateRandomCodeVerifier();
  const code = (await authorize(google, { ...params, verifier })).searchParams.get('code') as string;
  return tokenRequest(google, { ...clientForm(google), grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
}

describe('authorization code flow with PKCE', () => {
  it('works end to end through oauth4webapi, with a verifiable ID token and userinfo', async () => {
    const google = await setup();
    const as: oauth.AuthorizationServer = {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: google.endpoints.authorizeUrl,
      token_endpoint: google.endpoints.tokenUrl,
      userinfo_endpoint: google.endpoints.userinfoUrl,
      revocation_endpoint: google.endpoints.revokeUrl,
    };
    const client: oauth.Client = { client_id: google.clientId };
    const verifier = oauth.generateRandomCodeVerifier();

    const callback = await authorize(google, { verifier });
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123');
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(google.clientSecret), params, REDIRECT, verifier, {
      [oauth.allowInsecureRequests]: true,
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    const verified = await jwtVerify(tokens.id_token as string, createRemoteJWKSet(new URL(google.endpoints.jwksUrl)), { issuer: 'https://accounts.google.com', audience: google.clientId });
    const info = await oauth.processUserInfoResponse(as, client, claims?.sub as string, await oauth.userInfoRequest(as, client, tokens.access_token, { [oauth.allowInsecureRequests]: true }));

    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: expect.any(String) });
    expect(tokens.scope).toBe('openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/calendar');
    expect(claims).toMatchObject({ iss: 'https://accounts.google.com', aud: google.clientId, email: ALICE, email_verified: true });
    expect(verified.payload.sub).toBe(claims?.sub);
    expect(info).toMatchObject({ sub: claims?.sub, email: ALICE, email_verified: true });
  });

  it('refuses a wrong verifier, a reused code and a different redirect_uri', async () => {
    const google = await setup();
    const verifier = oauth.generateRandomCodeVerifier();
    const code = (await authorize(google, { verifier })).searchParams.get('code') as string;
    const base = { ...clientForm(google), grant_type: 'authorization_code', code };

    const wrongVerifier = await tokenRequest(google, { ...base, redirect_uri: REDIRECT, code_verifier: 'w'.repeat(43) });
    const otherRedirect = await tokenRequest(google, { ...base, redirect_uri: `${REDIRECT}/`, code_verifier: verifier });
    const good = await tokenRequest(google, { ...base, redirect_uri: REDIRECT, code_verifier: verifier });
    const reused = await tokenRequest(google, { ...base, redirect_uri: REDIRECT, code_verifier: verifier });

    expect(wrongVerifier).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(otherRedirect.status).toBe(400);
    expect(good.status).toBe(200);
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('authenticates the client by HTTP Basic too, and refuses a wrong secret with 401 invalid_client', async () => {
    const google = await setup();
    const verifier = oauth.generateRandomCodeVerifier();
    const code = (await authorize(google, { verifier })).searchParams.get('code') as string;
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const basic = (secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(google.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

    const wrong = await tokenRequest(google, form, { authorization: basic('nope') });
    const right = await tokenRequest(google, form, { authorization: basic(google.clientSecret) });

    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(right.status).toBe(200);
  });

  it('shows an error page for an unknown client and redirects other errors with state', async () => {
    const google = await setup();
    const unknownClient = await authorizeUrl(google);
    unknownClient.searchParams.set('client_id', 'someone-else');
    const badResponseType = await authorizeUrl(google);
    badResponseType.searchParams.set('response_type', 'token');

    const page = await fetch(unknownClient, { redirect: 'manual' });
    const redirected = await fetch(badResponseType, { redirect: 'manual' });
    google.denyNextConsent();
    const denied = await authorize(google);

    expect(page.status).toBe(401);
    expect(await page.text()).toContain('invalid_client');
    expect(redirected.status).toBe(302);
    const location = new URL(redirected.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(denied.searchParams.get('error')).toBe('access_denied');
  });

  it('consents as the login_hint user, or offers an account chooser when nobody consents automatically', async () => {
    const google = await setup({ autoConsentUser: undefined });
    google.createUser({ email: ALICE });
    google.createUser({ email: 'bob@example.com' });
    const hinted = await authorizeUrl(google, { extra: { login_hint: 'bob@example.com' } });

    const chooser = await fetch(await authorizeUrl(google), { redirect: 'manual' });
    const bob = await fetch(hinted, { redirect: 'manual' });
    const code = new URL(bob.headers.get('location') as string).searchParams.get('code') as string;
    const tokens = await tokenRequest(google, { ...clientForm(google), grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) });
    const info = await fetch(google.endpoints.userinfoUrl, { headers: { authorization: `Bearer ${tokens.body.access_token}` } });

    expect(chooser.status).toBe(200);
    expect(await chooser.text()).toContain('bob@example.com');
    expect(bob.status).toBe(302);
    expect(((await info.json()) as { email: string }).email).toBe('bob@example.com');
  });
});

describe('refresh tokens', () => {
  it('refresh returns a new access token and no new refresh token', async () => {
    const google = await setup();
    const first = await exchange(google);

    const refreshed = await tokenRequest(google, { ...clientForm(google), grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });

    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).toBeTypeOf('string');
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
  });

  it('issues a refresh token only on the first offline consent, or again with prompt=consent', async () => {
    const google = await setup();

    const first = await exchange(google, { prompt: null });
    const again = await exchange(google, { prompt: null });
    const forced = await exchange(google, { prompt: 'consent' });
    const online = await exchange(google, { prompt: 'consent', accessType: 'online' });

    expect(first.body.refresh_token).toBeTypeOf('string');
    expect(again.body).not.toHaveProperty('refresh_token');
    expect(forced.body.refresh_token).toBeTypeOf('string');
    expect(online.body).not.toHaveProperty('refresh_token');
  });

  it('revokeUser kills refresh (invalid_grant) and access tokens (401)', async () => {
    const google = await setup();
    const tokens = await exchange(google);

    google.revokeUser(ALICE);
    const refresh = await tokenRequest(google, { ...clientForm(google), grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    const api = await fetch(new URL(eventsPath(ALICE).slice(1), google.url), { headers: { authorization: `Bearer ${tokens.body.access_token}` } });

    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(api.status).toBe(401);
  });

  it('failTokenRefresh: invalid_grant kills the grant for good; other errors fail only the next refreshes', async () => {
    const google = await setup();
    const tokens = await exchange(google);
    const refresh = () => tokenRequest(google, { ...clientForm(google), grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });

    google.failTokenRefresh('temporarily_unavailable', { count: 1 });
    const transient = await refresh();
    const recovered = await refresh();
    google.failTokenRefresh('invalid_grant');
    const dead = await refresh();
    const stillDead = await refresh();

    expect(transient).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(recovered.status).toBe(200);
    expect(dead).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(stillDead.status).toBe(400);
  });

  it('the revoke endpoint ends the whole grant', async () => {
    const google = await setup();
    const tokens = await exchange(google);

    const revoked = await fetch(google.endpoints.revokeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tokens.body.refresh_token as string }) });
    const refresh = await tokenRequest(google, { ...clientForm(google), grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token as string });
    const api = await fetch(new URL(eventsPath(ALICE).slice(1), google.url), { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
    const unknown = await fetch(google.endpoints.revokeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: 'nope' }) });

    expect(revoked.status).toBe(200);
    expect(refresh.body.error).toBe('invalid_grant');
    expect(api.status).toBe(401);
    expect(unknown.status).toBe(400);
  });
});

describe('access tokens at the API', () => {
  it('expire after expires_in (configurable) and then answer 401 authError', async () => {
    const clock = manualClock('2030-01-01T00:00:00Z');
    const google = await setup({ now: clock.now, accessTokenTtlSeconds: 120 });
    const tokens = google.issueTokens(ALICE);
    const call = () => fetch(new URL(eventsPath(ALICE).slice(1), google.url), { headers: { authorization: `Bearer ${tokens.accessToken}` } });

    const fresh = await call();
    clock.advance(120_000);
    const expired = await call();
    const body = (await expired.json()) as { error: { errors: { reason: string; domain: string }[]; code: number } };

    expect(tokens.expiresIn).toBe(120);
    expect(fresh.status).toBe(200);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    expect(body.error).toMatchObject({ code: 401, errors: [{ domain: 'global', reason: 'authError' }] });
  });

  it('need a calendar scope for the API and email or openid for userinfo', async () => {
    const google = await setup();
    const emailOnly = google.issueTokens(ALICE, 'email');
    const calendarOnly = google.issueTokens(ALICE, 'https://www.googleapis.com/auth/calendar.readonly');

    const api = await fetch(new URL(eventsPath(ALICE).slice(1), google.url), { headers: { authorization: `Bearer ${emailOnly.accessToken}` } });
    const readOnlyWrite = await fetch(new URL(eventsPath(ALICE).slice(1), google.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${calendarOnly.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ start: { date: '2030-01-01' }, end: { date: '2030-01-02' } }),
    });
    const infoWithEmail = await fetch(google.endpoints.userinfoUrl, { headers: { authorization: `Bearer ${emailOnly.accessToken}` } });
    const infoWithout = await fetch(google.endpoints.userinfoUrl, { headers: { authorization: `Bearer ${calendarOnly.accessToken}` } });

    expect(api.status).toBe(403);
    expect(((await api.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason).toBe('insufficientPermissions');
    expect(readOnlyWrite.status).toBe(403);
    expect(await infoWithEmail.json()).toMatchObject({ email: ALICE, email_verified: true, sub: expect.stringMatching(/^\d{21}$/) });
    expect(infoWithout.status).toBe(401);
  });
});
