import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../shared/domain/calendar-event.ts';
import type { CalendarProvider } from '../../../shared/ports/calendar-provider.ts';
import { startGoogleSimulator, type GoogleSimulator } from '../../simulators/google/index.ts';
import { connectGoogleUser } from '../../support/google-provider.ts';
import { createTestStores } from '../../support/stores.ts';

// Issue 10 item 9: a retried events.insert must never create a second event. The simulator's `phase:
// 'after'` lets Google do the insert and then loses the answer (a 5xx or a dropped connection), which is
// exactly what a timeout after the provider processed the request looks like to the client.
const email = 'insert@example.com';
let simulator: GoogleSimulator;
let provider: CalendarProvider;
const calendar = { providerCalendarId: email, timeZone: 'UTC' };

beforeAll(async () => {
  simulator = await startGoogleSimulator();
  simulator.createUser({ email, timeZone: 'UTC' });
  const stores = await createTestStores();
  ({ provider } = await connectGoogleUser(simulator, stores, email));
});
afterAll(async () => simulator?.stop());

const draft = (title: string): EventDraft => ({
  title,
  start: { dateTime: '2026-12-08T10:00:00Z', timeZone: 'UTC' },
  end: { dateTime: '2026-12-08T11:00:00Z', timeZone: 'UTC' },
});
const withTitle = (title: string) => simulator.truth(email).filter((event) => event.summary === title);

describe('Google events.insert after a lost answer', () => {
  for (const status of [503, 500, 'reset'] as const) {
    it(`creates exactly one event when the first answer is lost (${status})`, async () => {
      const title = `lost answer ${status}`;
      const inserts = simulator.stats.count('events.insert');
      simulator.failNext({ route: 'events.insert', status, phase: 'after' });

      const created = await provider.createEvent(calendar, draft(title));

      expect(withTitle(title)).toHaveLength(1);
      expect(created.providerEventId).toBe(withTitle(title)[0]!.id);
      // The insert was repeated (the first answer was lost), and the repeat found the first event.
      expect(simulator.stats.count('events.insert') - inserts).toBe(2);
    });
  }

  it('the same key names the same event: a second create with it returns the first, not a copy', async () => {
    const first = await provider.createEvent(calendar, draft('keyed once'), { key: 'tenant-a/cal-1/key-1' });
    const again = await provider.createEvent(calendar, draft('keyed once'), { key: 'tenant-a/cal-1/key-1' });
    const other = await provider.createEvent(calendar, draft('keyed once'), { key: 'tenant-a/cal-1/key-2' });

    expect(again.providerEventId).toBe(first.providerEventId);
    expect(other.providerEventId).not.toBe(first.providerEventId);
    expect(withTitle('keyed once')).toHaveLength(2);
    // Google event ids are base32hex (a-v, 0-9), 5 to 1024 characters.
    expect(first.providerEventId).toMatch(/^[a-v0-9]{5,1024}$/);
  });

  it('does not repeat a PATCH with an etag precondition (a repeat would meet its own change as a 412)', async () => {
    const created = await provider.createEvent(calendar, draft('patched once'));
    const patches = simulator.stats.count('events.patch');
    simulator.failNext({ route: 'events.patch', status: 503, phase: 'after' });

    const error = await provider.updateEvent(calendar, created.providerEventId, draft('patched twice?'), { etag: created.etag }).catch((e: unknown) => e);

    expect(simulator.stats.count('events.patch') - patches).toBe(1);
    expect(error).toMatchObject({ code: 'provider.unavailable', retryable: true });
  });
});
