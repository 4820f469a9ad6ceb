import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_S2S, seedZoomSandbox, startZoomSimulator, type ZoomSimulator, type ZoomUser } from '../../../simulators/zoom/index.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function s2sToken(sim: ZoomSimulator, app = SANDBOX_S2S): Promise<Response> {
  return fetch(`${sim.endpoints.tokenUrl}?grant_type=account_credentials&account_id=${app.accountId}`, {
    method: 'POST',
    headers: { authorization: basic(app.clientId, app.clientSecret) },
  });
}

describe('Zoom simulator', () => {
  let sim: ZoomSimulator;
  let host: ZoomUser;
  let token: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sim.endpoints.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  beforeAll(async () => {
    sim = await startZoomSimulator({ autoConsentUser: 'sandbox.host@example.com', dailyMeetingLimit: 100 });
    host = seedZoomSandbox(sim).host;
    token = ((await (await s2sToken(sim)).json()) as { access_token: string }).access_token;
  });
  afterAll(() => sim.stop());

  it('issues an S2S token for the right credentials only, in the OAuth error shape otherwise', async () => {
    const good = await s2sToken(sim);
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const wrong = await s2sToken(sim, { ...SANDBOX_S2S, clientSecret: 'nope' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    const otherAccount = await s2sToken(sim, { ...SANDBOX_S2S, accountId: 'elsewhere' });
    expect(otherAccount.status).toBe(400);
  });

  it('creates, reads, patches and deletes a meeting, answering Zoom error shapes', async () => {
    const created = await api(`/users/${host.email}/meetings`, {
      method: 'POST',
      body: JSON.stringify({ topic: 'Intro', type: 2, start_time: '2027-01-04T09:00:00Z', duration: 30, timezone: 'Europe/Berlin', settings: { waiting_room: true, join_before_host: false } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-ratelimit-remaining')).toBe('99');
    const meeting = (await created.json()) as { id: number; join_url: string; settings: { waiting_room: boolean } };
    expect(meeting.join_url).toMatch(new RegExp(`^https://zoom.us/j/${meeting.id}\\?pwd=`));
    expect(meeting.settings.waiting_room).toBe(true);
    expect((await api(`/meetings/${meeting.id}`, { method: 'PATCH', body: JSON.stringify({ start_time: '2027-01-05T10:00:00Z', duration: 45 }) })).status).toBe(204);
    expect(await (await api(`/meetings/${meeting.id}`)).json()).toMatchObject({ start_time: '2027-01-05T10:00:00Z', duration: 45, topic: 'Intro' });
    expect((await api(`/meetings/${meeting.id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await api(`/meetings/${meeting.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ code: 3001, message: `Meeting does not exist: ${meeting.id}.` });
    const bad = await api(`/users/me/meetings`, { method: 'POST', body: JSON.stringify({ type: 2, start_time: 'soon' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: number }).code).toBe(300);
    const unauthorised = await fetch(`${sim.endpoints.apiUrl}/users/me`, { headers: { authorization: 'Bearer forged' } });
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toEqual({ code: 124, message: 'Invalid access token.' });
  });

  it('answers 429 after the daily create/update limit, per user, and per-second limits with Retry-After', async () => {
    const other = sim.addUser({ email: 'limit@example.com', accountId: SANDBOX_S2S.accountId });
    sim.consumeDaily(other.id, 99);
    const body = JSON.stringify({ topic: 'x', type: 2, start_time: '2027-01-04T09:00:00Z', duration: 30 });
    expect((await api(`/users/${other.id}/meetings`, { method: 'POST', body })).status).toBe(201);
    const over = await api(`/users/${other.id}/meetings`, { method: 'POST', body });
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-type')).toBe('Daily-limit');
    expect(((await over.json()) as { message: string }).message).toContain('daily rate limit (100)');
    expect(sim.dailyUsage(other.id)).toBe(100);
    // Another user of the same account still has their own limit.
    expect((await api(`/users/${host.id}/meetings`, { method: 'POST', body })).status).toBe(201);

    sim.setPerSecondLimit(1);
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const response = await api(`/users/${host.id}/meetings`, { method: 'POST', body });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
      }
      expect(statuses).toContain(429);
      expect(retryAfter).toBe('1');
    } finally {
      sim.setPerSecondLimit(null);
    }
  });

  it('runs the user-level OAuth flow with PKCE and rotates refresh tokens', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = 'http://127.0.0.1:9/callback';
    const authorize = await fetch(`${sim.endpoints.authorizeUrl}?response_type=code&client_id=${sim.clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=s1&code_challenge=${challenge}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('s1');
    const exchange = (verifierUsed: string, code: string) =>
      fetch(sim.endpoints.tokenUrl, {
        method: 'POST',
        headers: { authorization: basic(sim.clientId, sim.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifierUsed }),
      });
    const code = location.searchParams.get('code')!;
    expect((await exchange('wrong-verifier', code)).status).toBe(400);
    // A code is single-use even after a failed exchange; get a new one.
    const again = await fetch(`${sim.endpoints.authorizeUrl}?response_type=code&client_id=${sim.clientId}&redirect_uri=${encodeURIComponent(redirect)}&code_challenge=${challenge}&code_challenge_method=S256`, { redirect: 'manual' });
    const tokens = (await (await exchange(verifier, new URL(again.headers.get('location')!).searchParams.get('code')!)).json()) as { access_token: string; refresh_token: string };
    const me = await fetch(`${sim.endpoints.apiUrl}/users/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await me.json()) as { email: string }).email).toBe('sandbox.host@example.com');
    const refresh = (value: string) =>
      fetch(sim.endpoints.tokenUrl, { method: 'POST', headers: { authorization: basic(sim.clientId, sim.clientSecret) }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: value }) });
    const rotated = (await (await refresh(tokens.refresh_token)).json()) as { refresh_token: string };
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('revokes a user grant with the app\'s Basic auth: all its access tokens answer 401 and its refresh token 400; other grants and unknown tokens are untouched (200)', async () => {
    const refresh = (value: string) =>
      fetch(sim.endpoints.tokenUrl, { method: 'POST', headers: { authorization: basic(sim.clientId, sim.clientSecret) }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: value }) });
    const revoke = (value: string, auth = basic(sim.clientId, sim.clientSecret)) => fetch(`${sim.endpoints.oauthUrl}/oauth/revoke`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: value }) });
    const me = (access: string) => fetch(`${sim.endpoints.apiUrl}/users/me`, { headers: { authorization: `Bearer ${access}` } });
    const first = sim.issueUserTokens(host.id);
    // A refresh continues the same grant: its new tokens die with it.
    const rotated = (await (await refresh(first.refresh_token)).json()) as { access_token: string; refresh_token: string };
    const other = sim.issueUserTokens(host.id);
    const grantsBefore = sim.userGrants(host.id);

    const wrong = await revoke(rotated.refresh_token, basic(sim.clientId, 'not-the-secret'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    expect((await me(rotated.access_token)).status).toBe(200);

    const done = await revoke(first.access_token);
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: 'success' });
    for (const access of [first.access_token, rotated.access_token]) {
      const answer = await me(access);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ code: 124, message: 'Invalid access token.' });
    }
    const dead = await refresh(rotated.refresh_token);
    expect(dead.status).toBe(400);
    expect(((await dead.json()) as { error: string }).error).toBe('invalid_grant');
    expect([first.access_token, rotated.access_token, rotated.refresh_token].map((t) => sim.tokenActive(t))).toEqual([false, false, false]);
    expect(sim.userGrants(host.id)).toBe(grantsBefore - 1);
    // Another authorization of the same user is its own grant.
    expect((await me(other.access_token)).status).toBe(200);
    expect(sim.tokenActive(other.refresh_token)).toBe(true);
    expect((await revoke(rotated.refresh_token)).status).toBe(200);
    expect((await revoke('never-issued')).status).toBe(200);
  });

  it('applies a write and then loses the answer when told to', async () => {
    const before = sim.meetings(host.id).length;
    sim.failNext({ method: 'POST', pathPattern: /\/meetings$/, status: 'reset', phase: 'after' });
    await expect(api(`/users/${host.id}/meetings`, { method: 'POST', body: JSON.stringify({ topic: 'lost', type: 2, start_time: '2027-01-04T09:00:00Z', duration: 30 }) })).rejects.toThrow();
    expect(sim.meetings(host.id).length).toBe(before + 1);
  });

  describe('webhooks', () => {
    let receiver: Server;
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const secret = 'whsec-test';
    let answerWrongly = false;

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          received.push({ headers: request.headers, body });
          const parsed = JSON.parse(body) as { event: string; payload: { plainToken?: string } };
          if (parsed.event === 'endpoint.url_validation') {
            const plainToken = parsed.payload.plainToken!;
            const encrypted = createHmac('sha256', answerWrongly ? 'other' : secret).update(plainToken).digest('hex');
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ plainToken, encryptedToken: encrypted }));
          } else response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      sim.subscribe(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/zoom`, secret);
    });
    afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

    it('validates an endpoint that answers the challenge, and not one that answers it wrongly', async () => {
      expect((await sim.validateEndpoint()).ok).toBe(true);
      answerWrongly = true;
      expect((await sim.validateEndpoint()).ok).toBe(false);
      answerWrongly = false;
    });

    it('signs meeting.deleted with v0 HMAC over timestamp and raw body', async () => {
      const created = sim.meetings(host.id)[0]!;
      await sim.userDeleteMeeting(created.id);
      const last = received.at(-1)!;
      const timestamp = String(last.headers['x-zm-request-timestamp']);
      // Independent oracle: the documented formula.
      const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${last.body}`).digest('hex')}`;
      expect(last.headers['x-zm-signature']).toBe(expected);
      expect(JSON.parse(last.body)).toMatchObject({ event: 'meeting.deleted', payload: { object: { id: created.id } } });
      expect(sim.meeting(created.id)).toBeNull();
    });
  });
});
