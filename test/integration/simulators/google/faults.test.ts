import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { GoogleSimulator, GoogleSimulatorOptions } from '../../../simulators/google/index.ts';
import { ALICE, eventsPath, manualClock, startWithAlice, timed, type ErrorJson } from './helpers.ts';

// Fault switches, latency, quota, request counters and a clean stop (providers.md items 17–18).
let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup(options: GoogleSimulatorOptions = {}) {
  const clock = manualClock('2030-01-01T00:00:00Z');
  const started = await startWithAlice({ now: clock.now, ...options });
  sim = started.sim;
  return { ...started, clock };
}

const body = { summary: 'x', ...timed('2030-01-02T10:00:00Z', '2030-01-02T11:00:00Z') };

describe('failNext', () => {
  it.each([
    [403, 'rateLimitExceeded', 'usageLimits'],
    [429, 'rateLimitExceeded', 'usageLimits'],
    [403, 'userRateLimitExceeded', 'usageLimits'],
    [429, 'userRateLimitExceeded', 'usageLimits'],
    [403, 'quotaExceeded', 'usageLimits'],
    [401, 'authError', 'global'],
    [500, 'backendError', 'global'],
    [503, 'backendError', 'global'],
  ])('answers %i %s in Google’s error shape, as many times as asked', async (status, reason, domain) => {
    const { sim: google, api } = await setup();
    google.failNext({ route: 'events.list', status, reason, count: 2 });

    const first = await api<ErrorJson>('GET', eventsPath(ALICE));
    const second = await api<ErrorJson>('GET', eventsPath(ALICE));
    const third = await api('GET', eventsPath(ALICE));

    expect(first.status).toBe(status);
    expect(first.body).toEqual({ error: { errors: [expect.objectContaining({ domain, reason, message: expect.any(String) })], code: status, message: expect.any(String) } });
    expect(second.status).toBe(status);
    expect(third.status).toBe(200);
  });

  it('matches by method and path, and adds Retry-After only when asked', async () => {
    const { sim: google, api } = await setup();
    google.failNext({ method: 'POST', pathPattern: /\/events$/, status: 429, retryAfter: 7 });

    const read = await api('GET', eventsPath(ALICE));
    const write = await api('POST', eventsPath(ALICE), body);
    google.failNext({ pathPattern: '/events', status: 429 });
    const withoutHeader = await api('GET', eventsPath(ALICE));

    expect(read.status).toBe(200);
    expect(write.status).toBe(429);
    expect(write.headers.get('retry-after')).toBe('7');
    expect(withoutHeader.status).toBe(429);
    expect(withoutHeader.headers.get('retry-after')).toBeNull();
  });

  it('phase "after" lets the write happen and loses the answer; "before" has no effect', async () => {
    const { sim: google, api } = await setup();
    google.failNext({ route: 'events.insert', status: 500 });
    const before = await api('POST', eventsPath(ALICE), { ...body, id: 'before0001' });
    google.failNext({ route: 'events.insert', status: 503, phase: 'after' });
    const after = await api('POST', eventsPath(ALICE), { ...body, id: 'after00001' });

    expect(before.status).toBe(500);
    expect(after.status).toBe(503);
    expect(google.truth(ALICE).map((e) => e.id)).toEqual(['after00001']);
  });

  it('can hang up without an answer', async () => {
    const { sim: google, api } = await setup();
    google.failNext({ route: 'events.list', status: 'reset' });

    const outcome = await api('GET', eventsPath(ALICE)).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(Error);
    expect(google.stats.requests('events.list').map((r) => r.status)).toEqual(['reset']);
  });
});

describe('latency and quota', () => {
  it('slows matching requests by the given time, for the given count', async () => {
    const { sim: google, api } = await setup();
    google.setLatency({ route: 'events.list', ms: 150, count: 1 });

    const slowStart = performance.now();
    await api('GET', eventsPath(ALICE));
    const slow = performance.now() - slowStart;
    const fastStart = performance.now();
    await api('GET', eventsPath(ALICE));
    const fast = performance.now() - fastStart;

    expect(slow).toBeGreaterThanOrEqual(145);
    expect(fast).toBeLessThan(slow);
  });

  it('enforces a per-user sliding-minute quota with userRateLimitExceeded', async () => {
    const { api, clock } = await setup({ rateLimit: { perUserPerMinute: 3, status: 403 } });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await api('GET', eventsPath(ALICE))).status);
    const limited = await api<ErrorJson>('GET', eventsPath(ALICE));
    clock.advance(60_001);
    const afterWindow = await api('GET', eventsPath(ALICE));

    expect(statuses).toEqual([200, 200, 200, 403]);
    expect(limited.body.error.errors[0]).toMatchObject({ domain: 'usageLimits', reason: 'userRateLimitExceeded' });
    expect(afterWindow.status).toBe(200);
  });
});

describe('stats and lifecycle', () => {
  it('counts requests per route and resets', async () => {
    const { sim: google, api } = await setup();
    await api('GET', eventsPath(ALICE));
    await api('GET', eventsPath(ALICE));
    await api('POST', eventsPath(ALICE), body);
    const unknown = await api<ErrorJson>('GET', '/calendar/v3/nothing/here');

    const counted = { list: google.stats.count('events.list'), insert: google.stats.count('events.insert'), total: google.stats.total() };
    google.stats.reset();

    expect(counted).toEqual({ list: 2, insert: 1, total: 4 });
    expect(unknown.body.error.errors[0]?.reason).toBe('notFound');
    expect(google.stats.total()).toBe(0);
  });

  it('stop() ends pending retries and latency at once: the process exits with no timer left', async () => {
    // A child process exits by itself only when nothing holds the event loop: 30-second retry and latency
    // timers left running would keep it alive.
    const simulatorUrl = new URL('../../../simulators/google/index.ts', import.meta.url).href;
    const script = `
      import { createServer } from 'node:http';
      const { startGoogleSimulator } = await import(${JSON.stringify(simulatorUrl)});
      const receiver = createServer((req, res) => { res.writeHead(503); res.end(); });
      await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
      const sim = await startGoogleSimulator({ pushRetryDelaysMs: [30000, 30000] });
      sim.createUser({ email: 'a@example.com' });
      const { accessToken } = sim.issueTokens('a@example.com');
      const auth = { authorization: 'Bearer ' + accessToken, 'content-type': 'application/json' };
      await fetch(sim.url + 'calendar/v3/calendars/primary/events/watch', { method: 'POST', headers: auth,
        body: JSON.stringify({ id: 'c1', type: 'web_hook', address: 'http://127.0.0.1:' + receiver.address().port + '/' }) });
      for (let i = 0; i < 100 && sim.pushLog.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      sim.setLatency(30000);
      const hanging = fetch(sim.url + 'calendar/v3/users/me/calendarList', { headers: auth }).catch(() => 'reset');
      for (let i = 0; i < 500 && sim.stats.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
      if (sim.stats.inFlight === 0) throw new Error('the hanging request never reached the simulator');
      await sim.stop();
      receiver.close();
      receiver.closeAllConnections();
      console.log(JSON.stringify({ retrying: sim.pushLog[0]?.outcome, hanging: await hanging }));
    `;
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    const took = performance.now() - started;

    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ retrying: 'retrying', hanging: 'reset' });
    expect(child.status).toBe(0);
    expect(took).toBeLessThan(10_000);
  });
});
