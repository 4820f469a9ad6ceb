import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from './support.ts';

describe('throttling, scripted failures and $batch', () => {
  let t: TestSimulator;
  let calendarId: string;

  beforeAll(async () => {
    t = await startTestSimulator();
    calendarId = t.sim.user(t.userMail).defaultCalendarId;
  });

  afterEach(() => {
    t.sim.clearFaults();
    t.sim.setThrottleLimits({ concurrency: 4, requestsPer10Minutes: 10_000 });
  });

  afterAll(() => t.sim.stop());

  it('failNext scripts 429 with Retry-After, 503, 504 and 401 InvalidAuthenticationToken for matching requests', async () => {
    t.sim.failNext({ pathPattern: '/calendars', status: 429, retryAfterSeconds: 7, count: 2 });
    t.sim.failNext({ method: 'GET', pathPattern: /\/me$/, status: 503 });
    t.sim.failNext({ pathPattern: /\/me$/, status: 504 });
    t.sim.failNext({ pathPattern: /\/me$/, status: 401 });

    const throttled = await Promise.all([t.call('/v1.0/me/calendars'), t.call('/v1.0/me/calendars')]);
    const third = await t.call('/v1.0/me/calendars');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.call('/v1.0/me')).status);

    for (const response of throttled) {
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.json.error).toMatchObject({ code: 'TooManyRequests', innerError: { 'request-id': response.headers['request-id'] } });
    }
    expect(third.status).toBe(200);
    expect(statuses).toEqual([503, 504, 401, 200]);
  });

  it('answers 429 ApplicationThrottled with Retry-After to a fifth concurrent request for one mailbox', async () => {
    t.sim.setLatency(300);

    const responses = await Promise.all(Array.from({ length: 6 }, () => t.call('/v1.0/me/calendars')));

    const throttled = responses.filter((r) => r.status === 429);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(4);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]!.json.error.code).toBe('ApplicationThrottled');
    expect(throttled[0]!.json.error.message).toContain('MailboxConcurrency');
    expect(Number(throttled[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const other = t.sim.addUser({ mail: 'parallel@contoso.test' });
    const otherToken = t.sim.issueTokens(other.id).access_token;
    const mixed = await Promise.all([...Array.from({ length: 4 }, () => t.call('/v1.0/me/calendars')), ...Array.from({ length: 4 }, () => t.call('/v1.0/me/calendars', { token: otherToken }))]);
    expect(mixed.every((r) => r.status === 200)).toBe(true);
  });

  it('limits requests per mailbox in a 10-minute window', async () => {
    const fresh = t.sim.addUser({ mail: 'quota@contoso.test' });
    const token = t.sim.issueTokens(fresh.id).access_token;
    t.sim.setThrottleLimits({ requestsPer10Minutes: 3 });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.call('/v1.0/me/calendars', { token })).status);
    const last = await t.call('/v1.0/me/calendars', { token });

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last.json.error).toMatchObject({ code: 'ApplicationThrottled', message: expect.stringContaining('MailboxRequests') });
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(500);
  });

  it('$batch runs up to 20 steps, each with its own status; an inner 429 sits in an outer 200', async () => {
    const created = t.sim.createEvent(calendarId, { subject: 'b', start: { dateTime: '2025-01-01T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2025-01-01T11:00:00', timeZone: 'UTC' } });
    t.sim.failNext({ pathPattern: '/me/calendars', status: 429, retryAfterSeconds: 3 });

    const response = await t.call('/v1.0/$batch', {
      method: 'POST',
      body: {
        requests: [
          { id: '1', method: 'GET', url: `/me/events/${created.id}` },
          { id: '2', method: 'GET', url: '/me/calendars' },
          { id: '3', method: 'PATCH', url: `/me/events/${created.id}`, body: { subject: 'patched' }, headers: { 'Content-Type': 'application/json' }, dependsOn: ['1'] },
          { id: '4', method: 'GET', url: '/me/events/AAMkAbad', dependsOn: [] },
          { id: '5', method: 'DELETE', url: `/me/events/${created.id}`, dependsOn: ['4'] },
        ],
      },
    });

    expect(response.status).toBe(200);
    const byId = Object.fromEntries(response.json.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1'].status).toBe(200);
    expect(byId['2']).toMatchObject({ status: 429, headers: { 'Retry-After': '3' }, body: { error: { code: 'TooManyRequests' } } });
    expect(byId['3']).toMatchObject({ status: 200, body: { subject: 'patched' } });
    expect(byId['4'].status).toBe(400);
    expect(byId['5'].status).toBe(424);
    expect(t.sim.getEvent(created.id)?.subject).toBe('patched');
  });

  it('independent batch steps for one mailbox meet the concurrency limit like parallel calls', async () => {
    const requests = Array.from({ length: 6 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me/calendars' }));

    const response = await t.call('/v1.0/$batch', { method: 'POST', body: { requests } });
    const chained = await t.call('/v1.0/$batch', { method: 'POST', body: { requests: requests.map((r, i) => (i === 0 ? r : { ...r, dependsOn: [String(i - 1)] })) } });

    const statuses = response.json.responses.map((r: { status: number }) => r.status);
    expect(statuses.filter((s: number) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s: number) => s === 429)).toHaveLength(2);
    expect(chained.json.responses.every((r: { status: number }) => r.status === 200)).toBe(true);
  });

  it('refuses a batch of more than 20 requests', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));

    const response = await t.call('/v1.0/$batch', { method: 'POST', body: { requests } });

    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain('20');
  });

  it('counts requests per route, batch steps included', async () => {
    t.sim.resetCounters();

    await t.call('/v1.0/me/calendars');
    await t.call('/v1.0/$batch', { method: 'POST', body: { requests: [{ id: '1', method: 'GET', url: '/me/calendars' }] } });

    expect(t.sim.counters()).toEqual({ 'GET /v1.0/me/calendars': 2, 'POST /v1.0/$batch': 1 });
  });
});
