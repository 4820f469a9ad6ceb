import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog, type Log } from '../../../shared/ports/log.ts';
import { HttpZoomConnector } from '../../../shared/providers/video/zoom/index.ts';
import { DynamoBookingStore } from '../../../shared/storage/dynamo-booking-store.ts';
import { DynamoVideoConnectionStore } from '../../../shared/storage/dynamo-video-connection-store.ts';
import { completeZoomAuthorization, connectZoomServerToServer, startZoomAuthorization, type ZoomAuthorizationDeps } from '../../../shared/use-cases/video/connect-zoom.ts';
import { disconnectZoom, listZoomConnections } from '../../../shared/use-cases/video/manage-zoom-connections.ts';
import { ZoomBookingConferencing } from '../../../shared/use-cases/video/zoom-booking-conferencing.ts';
import { handleZoomWebhook, type ZoomWebhookDeps } from '../../../shared/use-cases/video/zoom-webhook.ts';
import { SANDBOX_S2S, seedZoomSandbox, startZoomSimulator, type ZoomSimulator, type ZoomUser } from '../../simulators/zoom/index.ts';
import { RecordingPublisher, TestClock, createTestStores, type TestStores } from '../../support/stores.ts';

describe('Zoom connections, booking meetings and webhooks (simulator + DynamoDB Local)', () => {
  let sim: ZoomSimulator;
  let host: ZoomUser;
  let stores: TestStores;
  let videoStore: DynamoVideoConnectionStore;
  let deps: ZoomAuthorizationDeps;
  const clock = new TestClock('2027-01-15T08:00:00Z');
  const publisher = new RecordingPublisher();
  const warnings: { message: string; extra: Record<string, unknown>[] }[] = [];
  const log: Log = { ...silentLog, warn: (message, ...extra) => void warnings.push({ message, extra }) };
  const tenantId = 'video-acme';

  beforeAll(async () => {
    sim = await startZoomSimulator({ now: () => clock.now(), autoConsentUser: 'sandbox.host@example.com' });
    host = seedZoomSandbox(sim).host;
    stores = await createTestStores(clock);
    videoStore = new DynamoVideoConnectionStore({ doc: stores.table.doc, tableName: stores.table.tableName, cipher: stores.cipher });
    const zoom = new HttpZoomConnector({ oauthUrl: sim.endpoints.oauthUrl, apiUrl: sim.endpoints.apiUrl, userApp: async () => ({ clientId: sim.clientId, clientSecret: sim.clientSecret }), store: videoStore, clock, sleep: async () => {} });
    deps = { videoConnections: videoStore, zoom, clock, oauthStates: stores.oauthStates, settings: { publicBaseUrl: 'http://localhost:3000', allowedReturnOrigins: ['http://localhost:3000'], stateTtlSeconds: 600 } };
  });
  afterAll(() => sim.stop());

  const conferencing = () => new ZoomBookingConferencing({ videoConnections: videoStore, meetings: videoStore, zoom: deps.zoom, publisher, log, clock });

  it('connects an S2S app after checking its credentials, seals them, and shows the quota', async () => {
    const { view, created } = await connectZoomServerToServer(deps, { tenantId, ...SANDBOX_S2S });
    expect(created).toBe(true);
    expect(view).toMatchObject({ provider: 'zoom', kind: 's2s', accountId: SANDBOX_S2S.accountId, userId: host.id, userEmail: host.email, quota: { day: '2027-01-15', used: 0, limit: 100, left: 100 } });
    const raw = JSON.stringify(await stores.table.doc.send(new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: stores.table.tableName })));
    expect(raw).not.toContain(SANDBOX_S2S.clientSecret);
    expect((await videoStore.getCredentials(tenantId, view.id))?.credentials).toEqual({ kind: 'zoom_s2s', clientId: SANDBOX_S2S.clientId, clientSecret: SANDBOX_S2S.clientSecret });
  });

  it('refuses wrong credentials at connect with a 400 naming the fields, storing nothing', async () => {
    const failure = await connectZoomServerToServer(deps, { tenantId: 'video-wrong', ...SANDBOX_S2S, clientSecret: 'not-the-secret' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'input.invalid' });
    expect((failure as { details: { errors: { field: string }[] } }).details.errors.map((e) => e.field)).toContain('body.clientSecret');
    const unknownHost = await connectZoomServerToServer(deps, { tenantId: 'video-wrong', ...SANDBOX_S2S, userId: 'nobody@example.com' }).catch((error: unknown) => error);
    expect(unknownHost).toMatchObject({ code: 'input.invalid', details: { field: 'body.userId' } });
  });

  it('makes one meeting per booking, moves and deletes it, and counts usage', async () => {
    const { view } = await connectZoomServerToServer(deps, { tenantId, ...SANDBOX_S2S });
    const request = { tenantId, bookingId: 'bkg_one', connectionId: view.id, title: 'Intro with Ada', start: '2027-01-20T09:00:00.000Z', end: '2027-01-20T09:30:00.000Z', timeZone: 'Europe/Berlin' };
    publisher.events.length = 0;
    const first = await conferencing().createMeeting(request);
    const again = await conferencing().createMeeting(request);
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.meeting).toEqual(first.meeting);
    expect(sim.meetings(host.id).filter((m) => m.topic === 'Intro with Ada')).toHaveLength(1);
    expect(sim.meeting(first.meeting.meetingId)?.join_url).toBe(first.meeting.joinUrl);
    const moved = await conferencing().moveMeeting({ ...request, meetingId: first.meeting.meetingId, start: '2027-01-21T10:00:00.000Z', end: '2027-01-21T10:45:00.000Z' });
    expect(moved).toMatchObject({ ok: true, meeting: { joinUrl: first.meeting.joinUrl } });
    expect(sim.meeting(first.meeting.meetingId)).toMatchObject({ start_time: '2027-01-21T10:00:00Z', duration: 45 });
    expect(await deps.videoConnections.usage(tenantId, view.id, host.id, '2027-01-15')).toBe(2);
    expect(await conferencing().deleteMeeting({ tenantId, bookingId: 'bkg_one', connectionId: view.id, meetingId: first.meeting.meetingId })).toEqual({ ok: true });
    expect(sim.meeting(first.meeting.meetingId)).toBeNull();
    expect(publisher.events.map((e) => e.type)).toEqual(['video.meeting.created', 'video.meeting.updated', 'video.meeting.deleted']);
  });

  it('finds the meeting again when the create answer was lost before it could be stored', async () => {
    const { view } = await connectZoomServerToServer(deps, { tenantId, ...SANDBOX_S2S });
    sim.failNext({ method: 'POST', pathPattern: /\/meetings$/, status: 'reset', phase: 'after' });
    const request = { tenantId, bookingId: 'bkg_lost', connectionId: view.id, title: 'Lost answer booking', start: '2027-01-22T09:00:00.000Z', end: '2027-01-22T09:30:00.000Z', timeZone: 'UTC' };
    const result = await conferencing().createMeeting(request);
    expect(result.ok).toBe(true);
    expect(sim.meetings(host.id).filter((m) => m.topic === 'Lost answer booking')).toHaveLength(1);
  });

  it('the 101st create of the day for one Zoom user: no link, video.quota_exhausted evented and logged, quota shows 0 left', async () => {
    const busy = sim.addUser({ email: 'busy@example.com', accountId: SANDBOX_S2S.accountId });
    const { view } = await connectZoomServerToServer(deps, { tenantId: 'video-quota', ...SANDBOX_S2S, userId: busy.email });
    const conf = conferencing();
    for (let i = 0; i < 100; i++) {
      const made = await conf.createMeeting({ tenantId: 'video-quota', bookingId: `bkg_q${i}`, connectionId: view.id, title: `Q${i}`, start: '2027-01-23T09:00:00.000Z', end: '2027-01-23T09:30:00.000Z', timeZone: 'UTC' });
      expect(made.ok).toBe(true);
    }
    publisher.events.length = 0;
    warnings.length = 0;
    const over = await conf.createMeeting({ tenantId: 'video-quota', bookingId: 'bkg_q100', connectionId: view.id, title: 'Q100', start: '2027-01-23T09:00:00.000Z', end: '2027-01-23T09:30:00.000Z', timeZone: 'UTC' });
    expect(over).toMatchObject({ ok: false, code: 'video.quota_exhausted', retryable: false });
    expect(publisher.events).toHaveLength(1);
    expect(publisher.events[0]).toMatchObject({ type: 'video.quota_exhausted', tenantId: 'video-quota', data: { bookingId: 'bkg_q100', zoomUserId: busy.id, limit: 100, resetAt: '2027-01-16T00:00:00.000Z' } });
    expect(warnings.map((w) => w.message)).toContain('video.quota_exhausted');
    expect(sim.meetings(busy.id)).toHaveLength(100);
    const connection = (await videoStore.get('video-quota', view.id))!;
    const { videoConnectionView } = await import('../../../shared/use-cases/video/connect-zoom.ts');
    expect((await videoConnectionView(deps, connection)).quota).toMatchObject({ used: 100, left: 0 });
  });

  it('connects a Zoom user through OAuth with PKCE, and its rotating refresh token is stored on refresh', async () => {
    const start = await startZoomAuthorization(deps, { tenantId });
    const authorize = new URL(start.authorizationUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost:3000/v1/oauth/zoom/callback');
    const redirect = await fetch(start.authorizationUrl, { redirect: 'manual' });
    const callback = new URL(redirect.headers.get('location')!);
    const outcome = await completeZoomAuthorization(deps, { code: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! });
    expect(outcome).toMatchObject({ status: 'connected', view: { kind: 'user', userId: host.id } });
    // The state was single-use.
    await expect(completeZoomAuthorization(deps, { code: 'x', state: callback.searchParams.get('state')! })).rejects.toMatchObject({ code: 'input.invalid' });
    if (outcome.status !== 'connected') return;
    const before = await videoStore.getCredentials(tenantId, outcome.view.id);
    clock.advance(3_600_000);
    const made = await conferencing().createMeeting({ tenantId, bookingId: 'bkg_user', connectionId: outcome.view.id, title: 'User grant', start: '2027-01-24T09:00:00.000Z', end: '2027-01-24T09:30:00.000Z', timeZone: 'UTC' });
    expect(made.ok).toBe(true);
    const after = await videoStore.getCredentials(tenantId, outcome.view.id);
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(after?.credentials.kind === 'zoom_user' && before?.credentials.kind === 'zoom_user' && after.credentials.refreshToken !== before.credentials.refreshToken).toBe(true);
  });

  it('lists a tenant\'s connections in cursor pages (only its own, no secrets), with the quota of every Zoom user it hosted for today', async () => {
    const tenant = 'video-list';
    const second = sim.addUser({ email: 'second.host@example.com', accountId: SANDBOX_S2S.accountId });
    const third = sim.addUser({ email: 'third.host@example.com', accountId: SANDBOX_S2S.accountId });
    const a = (await connectZoomServerToServer(deps, { tenantId: tenant, ...SANDBOX_S2S })).view;
    const b = (await connectZoomServerToServer(deps, { tenantId: tenant, ...SANDBOX_S2S, userId: third.email })).view;
    await connectZoomServerToServer(deps, { tenantId: 'video-list-other', ...SANDBOX_S2S });
    const before = new Map([host.id, second.id].map((id) => [id, sim.dailyUsage(id)]));
    const conf = conferencing();
    const meeting = (bookingId: string, userId?: string) => conf.createMeeting({ tenantId: tenant, bookingId, connectionId: a.id, ...(userId ? { userId } : {}), title: bookingId, start: '2027-01-26T09:00:00.000Z', end: '2027-01-26T09:30:00.000Z', timeZone: 'UTC' });
    for (const id of ['bkg_l1', 'bkg_l2']) expect((await meeting(id)).ok).toBe(true);
    for (const id of ['bkg_l3', 'bkg_l4', 'bkg_l5']) expect((await meeting(id, second.id)).ok).toBe(true);
    expect((await conf.moveMeeting({ tenantId: tenant, bookingId: 'bkg_l3', connectionId: a.id, userId: second.id, title: 'moved', start: '2027-01-27T09:00:00.000Z', end: '2027-01-27T09:30:00.000Z', timeZone: 'UTC' })).ok).toBe(true);
    // The oracle: the simulator's own per-user count of today's creates and updates.
    const counted = (id: string) => sim.dailyUsage(id) - before.get(id)!;
    expect([counted(host.id), counted(second.id)]).toEqual([2, 4]);

    const first = await listZoomConnections(deps, { tenantId: tenant, limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const rest = await listZoomConnections(deps, { tenantId: tenant, limit: 1, cursor: first.nextCursor! });
    expect(rest.nextCursor).toBeNull();
    const all = [...first.items, ...rest.items];
    expect(all.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(JSON.stringify(all)).not.toContain(SANDBOX_S2S.clientSecret);
    const listedA = all.find((c) => c.id === a.id)!;
    expect(listedA.quota).toMatchObject({ limitPerUserPerDay: 100, userId: host.id, used: counted(host.id), left: 100 - counted(host.id) });
    expect(listedA.quota.users).toEqual([
      { userId: host.id, used: counted(host.id), remaining: 100 - counted(host.id) },
      { userId: second.id, used: counted(second.id), remaining: 100 - counted(second.id) },
    ]);
    // The other connection hosted for nobody today: only its default host, at 0.
    expect(all.find((c) => c.id === b.id)!.quota.users).toEqual([{ userId: third.id, used: 0, remaining: 100 }]);
    // A cursor is only a position inside the caller's own partition.
    const elsewhere = await listZoomConnections(deps, { tenantId: 'video-list-other', limit: 50, cursor: first.nextCursor! });
    expect(elsewhere.items.every((c) => c.id !== a.id && c.id !== b.id)).toBe(true);
  });

  const revokeCalls = () => sim.requestLog().filter((entry) => entry.method === 'POST' && entry.path === '/oauth/revoke');

  it('disconnects: the item and its sealed credentials are gone, a second disconnect is 404, and a new meeting on it is video.connection_missing; an S2S connection has no grant to revoke', async () => {
    const tenant = 'video-disconnect';
    const { view } = await connectZoomServerToServer(deps, { tenantId: tenant, ...SANDBOX_S2S });
    const revokesBefore = revokeCalls().length;
    await disconnectZoom({ ...deps, log }, tenant, view.id);
    expect(revokeCalls()).toHaveLength(revokesBefore);
    expect(await videoStore.get(tenant, view.id)).toBeNull();
    expect(await videoStore.getCredentials(tenant, view.id)).toBeNull();
    expect((await listZoomConnections(deps, { tenantId: tenant, limit: 50 })).items).toEqual([]);
    await expect(disconnectZoom({ ...deps, log }, tenant, view.id)).rejects.toMatchObject({ code: 'resource.not_found' });
    const made = await conferencing().createMeeting({ tenantId: tenant, bookingId: 'bkg_gone', connectionId: view.id, title: 'Gone', start: '2027-01-28T09:00:00.000Z', end: '2027-01-28T09:30:00.000Z', timeZone: 'UTC' });
    expect(made).toMatchObject({ ok: false, code: 'video.connection_missing', retryable: false });
  });

  /** A user-level connection through the simulator's consent page and our callback, with its stored tokens. */
  async function connectZoomUser(tenant: string): Promise<{ id: string; accessToken: string; refreshToken: string }> {
    const start = await startZoomAuthorization(deps, { tenantId: tenant });
    const callback = new URL((await fetch(start.authorizationUrl, { redirect: 'manual' })).headers.get('location')!);
    const outcome = await completeZoomAuthorization(deps, { code: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! });
    if (outcome.status !== 'connected') throw new Error('not connected');
    const stored = (await videoStore.getCredentials(tenant, outcome.view.id))?.credentials;
    if (stored?.kind !== 'zoom_user') throw new Error('no user grant stored');
    return { id: outcome.view.id, accessToken: stored.accessToken, refreshToken: stored.refreshToken };
  }

  const zoomMe = (accessToken: string) => fetch(`${sim.endpoints.apiUrl}/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  const zoomRefresh = (refreshToken: string) =>
    fetch(sim.endpoints.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }) });

  it('disconnecting a user-level connection revokes its grant at Zoom: the old access token answers 401 and the old refresh token 400 invalid_grant', async () => {
    const tenant = 'video-revoke';
    const grant = await connectZoomUser(tenant);
    expect((await zoomMe(grant.accessToken)).status).toBe(200);
    const revokesBefore = revokeCalls().length;
    warnings.length = 0;
    await disconnectZoom({ ...deps, log }, tenant, grant.id);
    expect(revokeCalls().slice(revokesBefore).map((entry) => entry.status)).toEqual([200]);
    expect(warnings).toEqual([]);
    // The oracle: Zoom's (the simulator's) own view of the grant, and its API with the old tokens.
    expect([sim.tokenActive(grant.accessToken), sim.tokenActive(grant.refreshToken)]).toEqual([false, false]);
    const me = await zoomMe(grant.accessToken);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: 124 });
    const refreshed = await zoomRefresh(grant.refreshToken);
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await videoStore.get(tenant, grant.id)).toBeNull();
    expect(await videoStore.getCredentials(tenant, grant.id)).toBeNull();
  });

  it('a revoke Zoom fails (500, hang-up, refused app credentials) does not fail the disconnect: the connection is removed and the failure is warned with its code', async () => {
    const tenant = 'video-revoke-fails';
    const wrongApp = new HttpZoomConnector({ oauthUrl: sim.endpoints.oauthUrl, apiUrl: sim.endpoints.apiUrl, userApp: async () => ({ clientId: sim.clientId, clientSecret: 'not-the-secret' }), store: videoStore, clock });
    const cases = [
      { fail: () => sim.failNext({ method: 'POST', pathPattern: '/oauth/revoke', status: 500 }), zoom: deps.zoom, code: 'video.unavailable', answered: 500 },
      { fail: () => sim.failNext({ method: 'POST', pathPattern: '/oauth/revoke', status: 'reset' }), zoom: deps.zoom, code: 'video.unavailable', answered: 'reset' },
      { fail: () => {}, zoom: wrongApp, code: 'video.auth_failed', answered: 401 },
    ] as const;
    for (const { fail, zoom, code, answered } of cases) {
      const grant = await connectZoomUser(tenant);
      const revokesBefore = revokeCalls().length;
      warnings.length = 0;
      fail();
      await disconnectZoom({ ...deps, zoom, log }, tenant, grant.id);
      expect(revokeCalls().slice(revokesBefore).map((entry) => entry.status)).toEqual([answered]);
      expect(await videoStore.get(tenant, grant.id)).toBeNull();
      expect(await videoStore.getCredentials(tenant, grant.id)).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.extra[0]).toMatchObject({ connectionId: grant.id, code });
      // Best effort: Zoom never ended the grant (the user can still remove the app in Zoom).
      expect(sim.tokenActive(grant.refreshToken)).toBe(true);
    }
  });

  describe('POST /hooks/zoom use-case', () => {
    const secret = 'zoom-webhook-secret';
    const webhookDeps = (): ZoomWebhookDeps => ({ secretToken: secret, meetings: videoStore, bookings: new DynamoBookingStore({ doc: stores.table.doc, tableName: stores.table.tableName }), publisher, log: silentLog, clock });
    const sign = (body: string, ts = Math.floor(clock.now().getTime() / 1000), key = secret) => ({ 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', key).update(`v0:${ts}:${body}`).digest('hex')}` });

    it('answers the URL validation challenge with the HMAC of plainToken', async () => {
      const body = JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' } });
      const result = await handleZoomWebhook(webhookDeps(), { headers: sign(body), rawBody: body });
      expect(result).toEqual({ status: 200, body: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', secret).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') } });
    });

    it('accepts a signed meeting.deleted, removes the booking meeting and events it; rejects bad ones with no side effect', async () => {
      const { view } = await connectZoomServerToServer(deps, { tenantId, ...SANDBOX_S2S });
      const made = await conferencing().createMeeting({ tenantId, bookingId: 'bkg_hook', connectionId: view.id, title: 'Hooked', start: '2027-01-25T09:00:00.000Z', end: '2027-01-25T09:30:00.000Z', timeZone: 'UTC' });
      if (!made.ok) throw new Error(made.message);
      const body = JSON.stringify({ event: 'meeting.deleted', payload: { account_id: SANDBOX_S2S.accountId, object: { id: Number(made.meeting.meetingId) } } });
      publisher.events.length = 0;
      const now = Math.floor(clock.now().getTime() / 1000);
      const bad = [
        { headers: sign(body, now, 'wrong-secret'), rawBody: body, status: 401 },
        { headers: sign(body, now - 301), rawBody: body, status: 401 },
        { headers: {}, rawBody: body, status: 401 },
        { headers: sign(`${body} `), rawBody: body, status: 401 },
        { headers: sign('{not json'), rawBody: '{not json', status: 400 },
        { headers: sign('{"hello":1}'), rawBody: '{"hello":1}', status: 400 },
      ];
      for (const request of bad) expect((await handleZoomWebhook(webhookDeps(), request)).status).toBe(request.status);
      expect(publisher.events).toHaveLength(0);
      expect(await videoStore.getMeeting(tenantId, 'bkg_hook')).not.toBeNull();
      const ok = await handleZoomWebhook(webhookDeps(), { headers: sign(body), rawBody: body });
      expect(ok.status).toBe(200);
      expect(publisher.events).toMatchObject([{ type: 'video.meeting.deleted', tenantId, data: { bookingId: 'bkg_hook', meetingId: made.meeting.meetingId, source: 'provider', joinUrl: null } }]);
      expect(await videoStore.getMeeting(tenantId, 'bkg_hook')).toBeNull();
    });
  });
});
