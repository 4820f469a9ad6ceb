import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/domain/app-error.ts';
import { syncWindowRange } from '../../../shared/domain/calendar.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { createTestStores, type TestStores } from '../../support/stores.ts';

const email = 'slow@example.com';
const calendar = { providerCalendarId: email, timeZone: 'UTC' };
const DEADLINE_MS = 200;

let simulator: GoogleSimulator;
let stores: TestStores;

beforeAll(async () => {
  simulator = await startGoogleSimulator({});
  simulator.createUser({ email, timeZone: 'UTC' });
  stores = await createTestStores();
  simulator.insertEvent(email, { summary: 'one', start: { dateTime: new Date(Date.now() + 86_400_000).toISOString() }, end: { dateTime: new Date(Date.now() + 90_000_000).toISOString() } });
});
afterAll(() => simulator?.stop());

const abandoned = () => simulator.stats.requests('events.list').filter((entry) => entry.status === 'abandoned').length;
const settled = async () => {
  for (let wait = 0; wait < 200 && simulator.stats.inFlight > 0; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('Google requests have a deadline per attempt (a stalled connection never holds a worker)', () => {
  it('abandons a listing Google holds past the deadline and gets the page from the quick retry', async () => {
    const { provider } = await connectGoogleUser(simulator, stores, email, 't-slow-1', undefined, undefined, { requestTimeoutMs: DEADLINE_MS });
    simulator.stats.reset();
    simulator.setLatency({ route: 'events.list', ms: 5 * DEADLINE_MS, count: 1 });
    const page = await provider.listChanges({ calendar, cursor: null, window: syncWindowRange({ pastDays: 7, futureDays: 30 }, new Date()), pageToken: null });
    expect(page.changes.map((change) => (change.type === 'upsert' ? change.event.title : null))).toEqual(['one']);
    await settled();
    expect(abandoned()).toBe(1);
    expect(simulator.stats.requests('events.list').filter((entry) => entry.status === 200)).toHaveLength(1);
  });

  it('gives up after its quick retries with a retryable provider.unavailable, well before the held answer', async () => {
    const { provider } = await connectGoogleUser(simulator, stores, email, 't-slow-2', undefined, undefined, { requestTimeoutMs: DEADLINE_MS });
    simulator.stats.reset();
    simulator.setLatency({ route: 'events.list', ms: 30 * DEADLINE_MS, count: 3 });
    const started = Date.now();
    const failure = await provider.listChanges({ calendar, cursor: null, window: syncWindowRange({ pastDays: 7, futureDays: 30 }, new Date()), pageToken: null }).catch((error: unknown) => error);
    const elapsed = Date.now() - started;
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'provider.unavailable', retryable: true });
    // Three attempts of 200 ms and two backoffs of at most 4 s, against 6 s per held answer.
    expect(elapsed).toBeLessThan(30 * DEADLINE_MS);
    simulator.clearFaults();
  });
});
