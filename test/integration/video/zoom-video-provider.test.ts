import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { ZoomS2STokens, ZoomVideoProvider } from '../../../shared/providers/video/index.ts';
import { ZOOM_TOKEN_RENEW_BEFORE_MS } from '../../../shared/providers/video/zoom/index.ts';
import { SANDBOX_S2S, seedZoomSandbox, startZoomSimulator, type ZoomSimulator, type ZoomUser } from '../../simulators/zoom/index.ts';
import { TestClock } from '../../support/stores.ts';

const spec = (title: string) => ({ key: `k/${title}`, title, start: '2027-02-01T10:00:00Z', end: '2027-02-01T10:30:00Z', timeZone: 'UTC' });

describe('Zoom video adapter (simulator)', () => {
  let sim: ZoomSimulator;
  let host: ZoomUser;
  const clock = new TestClock('2027-01-15T08:00:00Z');

  beforeAll(async () => {
    sim = await startZoomSimulator({ now: () => clock.now() });
    host = seedZoomSandbox(sim).host;
  });
  afterAll(() => sim.stop());

  const adapter = (waits: number[] = [], tokens = new ZoomS2STokens(sim.endpoints.oauthUrl, SANDBOX_S2S, clock)) =>
    new ZoomVideoProvider({ apiUrl: sim.endpoints.apiUrl, tokens, userId: host.id, clock, sleep: async (ms) => void waits.push(ms) });

  it('caches the one-hour S2S token and renews it before it expires', async () => {
    const tokens = new ZoomS2STokens(sim.endpoints.oauthUrl, SANDBOX_S2S, clock);
    const zoom = adapter([], tokens);
    await zoom.createMeeting(spec('token 1'));
    await zoom.createMeeting(spec('token 2'));
    expect(tokens.grants).toBe(1);
    clock.advance(3_600_000 - ZOOM_TOKEN_RENEW_BEFORE_MS + 1_000);
    await zoom.createMeeting(spec('token 3'));
    expect(tokens.grants).toBe(2);
  });

  it('gets a new token once when Zoom answers 401, and goes on', async () => {
    const tokens = new ZoomS2STokens(sim.endpoints.oauthUrl, SANDBOX_S2S, clock);
    const zoom = adapter([], tokens);
    await zoom.createMeeting(spec('before revoke'));
    sim.revokeTokens();
    await expect(zoom.createMeeting(spec('after revoke'))).resolves.toMatchObject({ provider: 'zoom' });
    expect(tokens.grants).toBe(2);
  });

  it('waits Retry-After on a per-second 429 and then succeeds', async () => {
    const waits: number[] = [];
    sim.failNext({ method: 'PATCH', status: 429, retryAfter: 2, message: 'Too many requests' });
    const zoom = adapter(waits);
    const meeting = await zoom.createMeeting(spec('throttled'));
    await zoom.updateMeeting(meeting.ref, { ...spec('throttled'), start: '2027-02-02T10:00:00Z', end: '2027-02-02T10:30:00Z' });
    expect(waits).toEqual([2_000]);
    expect(sim.meeting(meeting.ref)?.start_time).toBe('2027-02-02T10:00:00Z');
  });

  it('backs off on 5xx with growing waits, then gives up retryably', async () => {
    const waits: number[] = [];
    sim.failNext({ method: 'GET', pathPattern: '/meetings/', status: 503, count: 3 });
    const zoom = adapter(waits);
    const failure = await zoom.getMeeting('12345678901').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'video.unavailable', retryable: true });
    expect(waits).toHaveLength(2);
    expect(waits[0]!).toBeGreaterThanOrEqual(250);
    expect(waits[1]!).toBeGreaterThanOrEqual(500);
  });

  it('turns the daily create/update limit into video.quota_exhausted, not retried', async () => {
    const user = sim.addUser({ email: 'busy.host@example.com', accountId: SANDBOX_S2S.accountId });
    sim.consumeDaily(user.id, 100);
    const waits: number[] = [];
    const zoom = new ZoomVideoProvider({ apiUrl: sim.endpoints.apiUrl, tokens: new ZoomS2STokens(sim.endpoints.oauthUrl, SANDBOX_S2S, clock), userId: user.id, clock, sleep: async (ms) => void waits.push(ms) });
    const failure = await zoom.createMeeting(spec('one too many')).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'video.quota_exhausted', retryable: false, details: { resetAt: '2027-01-16T00:00:00.000Z' } });
    expect(waits).toEqual([]);
    expect(sim.meetings(user.id)).toHaveLength(0);
  });

  it('rejects wrong S2S credentials as video.auth_failed', async () => {
    const tokens = new ZoomS2STokens(sim.endpoints.oauthUrl, { ...SANDBOX_S2S, clientSecret: 'wrong' }, clock);
    await expect(tokens.token()).rejects.toMatchObject({ code: 'video.auth_failed', retryable: false });
  });

  it('creates with waiting room on, join before host off, type 2, and reports dial-in numbers', async () => {
    const meeting = await adapter().createMeeting(spec('settings'));
    const stored = sim.meeting(meeting.ref)!;
    expect(stored).toMatchObject({ type: 2, duration: 30, timezone: 'UTC', settings: { waiting_room: true, join_before_host: false } });
    expect(meeting.dialIn?.[0]).toEqual({ number: '+1 646 558 8656', country: 'US' });
  });
});
