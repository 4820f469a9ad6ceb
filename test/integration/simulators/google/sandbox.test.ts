import { afterEach, describe, expect, it } from 'vitest';
import { seedSandbox, startGoogleSimulator, type GoogleSimulator } from '../../../simulators/google/index.ts';

// Sandbox mode: the simulator runs in-process with a seeded user who consents automatically.
let sim: GoogleSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('sandbox seed', () => {
  it('creates a user whose calendar holds singles, an all-day event and a series with two exceptions near now', async () => {
    const now = new Date('2030-03-10T12:00:00Z');
    const google = (sim = await startGoogleSimulator({ now: () => now, autoConsentUser: 'sandbox.user@example.com' }));

    const seed = seedSandbox(google, { now });
    const truth = google.truth(seed.calendarId);
    const authorize = new URL(google.endpoints.authorizeUrl);
    for (const [name, value] of Object.entries({ client_id: google.clientId, redirect_uri: 'http://127.0.0.1:1/cb', response_type: 'code', scope: 'openid email', state: 's' })) {
      authorize.searchParams.set(name, value);
    }
    const consent = await fetch(authorize, { redirect: 'manual' });

    expect(seed.user.email).toBe('sandbox.user@example.com');
    expect(truth.filter((e) => !e.recurringEventId).map((e) => e.id).sort()).toEqual(Object.values(seed.eventIds).sort());
    expect(truth.filter((e) => e.recurringEventId === seed.eventIds.standup).map((e) => e.status).sort()).toEqual(['cancelled', 'confirmed']);
    expect(truth.find((e) => e.id === seed.eventIds.allDay)?.start).toEqual({ date: '2030-03-13' });
    expect(consent.status).toBe(302);
    expect(new URL(consent.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
  });
});
