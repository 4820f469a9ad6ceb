import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from './support.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./graph-sdk-client.ts', import.meta.url));

describe('the Microsoft Graph SDK against the simulator (child process with NODE_EXTRA_CA_CERTS)', () => {
  let t: TestSimulator;

  beforeAll(async () => {
    t = await startTestSimulator();
  });

  afterAll(() => t.sim.stop());

  it('attaches the token on customHosts, follows absolute next/delta links and retries a 429 honouring Retry-After', async () => {
    const calendarId = t.sim.user(t.userMail).defaultCalendarId;
    for (let day = 1; day <= 5; day++) {
      t.sim.createEvent(calendarId, { subject: `S${day}`, start: { dateTime: `2025-01-0${day}T08:00:00`, timeZone: 'UTC' }, end: { dateTime: `2025-01-0${day}T09:00:00`, timeZone: 'UTC' } });
    }
    t.sim.failNext({ method: 'GET', pathPattern: /\/me\/calendars$/, status: 429, retryAfterSeconds: 1 });
    t.sim.resetCounters();

    const { stdout } = await run(process.execPath, [script], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: t.ca.caCertPath, SIM_GRAPH_URL: t.sim.endpoints.graphUrl, SIM_TOKEN: t.token, SIM_CALENDAR_ID: calendarId },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);

    expect(result.calendars).toEqual(['Calendar']);
    expect(result.pages).toEqual([2, 2, 1]);
    expect(result.subjects.sort()).toEqual(['S1', 'S2', 'S3', 'S4', 'S5']);
    expect(result.deltaLink).toMatch(new RegExp(`^https://localhost:${t.sim.port}/v1\\.0/`));
    expect(result.incremental).toBe(0);
    expect(t.sim.counters()).toMatchObject({
      'GET /v1.0/me/calendars': 2,
      'GET /v1.0/me/calendars/{calendarId}/calendarView/delta': 4,
    });
    expect(t.sim.requestLog().filter((r) => r.status === 401)).toEqual([]);
  });
});
