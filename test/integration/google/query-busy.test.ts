import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { toIsoIntervals } from '../../../shared/domain/busy-intervals.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { GOOGLE_SCOPES } from '../../../shared/providers/google/google-oauth-client.ts';
import { CalendarRecurrenceExpander } from '../../../shared/recurrence/calendar-recurrence-expander.ts';
import { providerBusyColumns } from '../../../shared/use-cases/availability/busy-parts.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { createTestStores, type TestStores } from '../../support/stores.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const email = 'busy@example.com';
const calendar = { providerCalendarId: email, timeZone: 'UTC' };
const past = Date.UTC(2023, 2, 6, 9); // Monday 2023-03-06 09:00 UTC
const year = { start: new Date(past - 10 * DAY), end: new Date(past + 356 * DAY) };
const iso = (ms: number) => new Date(ms).toISOString();

let simulator: GoogleSimulator;
let stores: TestStores;

async function busyOf(provider: CalendarProvider, range = year) {
  const answer = await provider.queryBusy(calendar, range);
  return { kind: answer.kind, busy: toIsoIntervals(await providerBusyColumns(new CalendarRecurrenceExpander(), answer, { tenantId: 't', connectionId: 'c', id: 'cal' }, range, 'UTC')) };
}

beforeAll(async () => {
  simulator = await startGoogleSimulator({});
  simulator.createUser({ email, timeZone: 'UTC' });
  stores = await createTestStores();
  simulator.insertEvent(email, { summary: 'spring', start: { dateTime: iso(past) }, end: { dateTime: iso(past + HOUR) } });
  simulator.insertEvent(email, { summary: 'autumn', start: { dateTime: iso(past + 200 * DAY) }, end: { dateTime: iso(past + 200 * DAY + HOUR) } });
  simulator.insertEvent(email, {
    summary: 'declined',
    start: { dateTime: iso(past + 2 * HOUR) },
    end: { dateTime: iso(past + 3 * HOUR) },
    attendees: [{ email: 'boss@example.com', organizer: true, responseStatus: 'accepted' }, { email, responseStatus: 'declined' }],
  });
});
afterAll(async () => simulator?.stop());

describe('Google queryBusy', () => {
  it('asks freeBusy in pieces of at most 90 days for a year, and finds busy time in every piece', async () => {
    const { provider } = await connectGoogleUser(simulator, stores, email);
    simulator.stats.reset();
    expect(await busyOf(provider)).toEqual({
      kind: 'intervals',
      busy: [
        { start: iso(past), end: iso(past + HOUR) },
        { start: iso(past + 200 * DAY), end: iso(past + 200 * DAY + HOUR) },
      ],
    });
    expect(simulator.stats.count('freebusy.query')).toBe(Math.ceil(366 / 90));
    expect(simulator.stats.count('events.list')).toBe(0);
  });

  it('lists the events instead when the grant has no free/busy scope, with the same answer by our rules', async () => {
    const withoutFreeBusy = GOOGLE_SCOPES.filter((scope) => !scope.endsWith('.freebusy')).join(' ');
    const { provider } = await connectGoogleUser(simulator, stores, email, 'older-grant', undefined, withoutFreeBusy);
    simulator.stats.reset();
    const listed = await busyOf(provider);
    expect(listed.kind).toBe('events');
    expect(listed.busy).toEqual([
      { start: iso(past), end: iso(past + HOUR) },
      { start: iso(past + 200 * DAY), end: iso(past + 200 * DAY + HOUR) },
    ]);
    expect(simulator.stats.count('events.list')).toBe(1);
  });

  it('turns a rate limit and an outage into typed errors, never an empty answer', async () => {
    const { provider } = await connectGoogleUser(simulator, stores, email, 'faults');
    simulator.failNext({ route: 'freebusy.query', status: 429 });
    const limited = await provider.queryBusy(calendar, year).catch((e: unknown) => e);
    expect(isAppError(limited, 'provider.rate_limited')).toBe(true);
    simulator.failNext({ route: 'freebusy.query', status: 503, count: 3 });
    const down = await provider.queryBusy(calendar, year).catch((e: unknown) => e);
    expect(isAppError(down, 'provider.unavailable')).toBe(true);
    expect((down as { retryable: boolean }).retryable).toBe(true);
  });
});
