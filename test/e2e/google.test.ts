import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { eventually } from '../support/eventually.ts';

let stack: TestStack;


beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
});
afterAll(() => stack?.stop());

describe('Google end to end in the local stack (sandbox simulator)', () => {
  let connectionId: string;
  let calendarId: string;

  it('connects through OAuth with PKCE and a one-time state', async () => {
    const authorize = await stack.api('/v1/connections/google/authorize', { method: 'POST', body: JSON.stringify({}) });
    expect(authorize.status).toBe(200);
    const { authorizationUrl } = (await authorize.json()) as { authorizationUrl: string };
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.url}/v1/oauth/google/callback`);

    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callbackUrl = consent.headers.get('location')!;
    const callback = await fetch(callbackUrl, { redirect: 'manual' });
    expect(callback.status).toBe(200);
    const body = (await callback.json()) as { status: string; connection: { id: string; accountEmail: string; status: string } };
    expect(body).toMatchObject({ status: 'connected', connection: { accountEmail: SANDBOX_GOOGLE_USER, status: 'active' } });
    connectionId = body.connection.id;
    expect(JSON.stringify(body)).not.toMatch(/ya29|refresh|access_token/i);

    const replay = await fetch(callbackUrl, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('query.state');
    const listed = (await (await stack.api('/v1/connections')).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(1);
  });

  it('syncs the calendar and serves its events, with every series instance', async () => {
    const calendars = (await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; isPrimary: boolean }[] };
    calendarId = calendars.items.find((c) => c.isPrimary)!.id;
    await eventually(async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { lastSyncedAt: string | null }).lastSyncedAt);
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const end = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const events = (await (await stack.api(`/v1/calendars/${calendarId}/events?start=${start}&end=${end}`)).json()) as { items: { title: string; start: unknown }[] };
    const titles = events.items.map((e) => e.title);
    expect(titles).toContain('Project kickoff');
    expect(titles).toContain('Team offsite');
    expect(stack.bus.published.filter((e) => e.type === 'calendar.event.created').length).toBeGreaterThanOrEqual(4);
    expect(stack.bus.published.some((e) => e.type === 'connection.created')).toBe(true);
  });

  it('turns a change at Google into a push, a sync and an updated event within a second', async () => {
    const google = sandboxSimulators.google!;
    const truth = google.truth(SANDBOX_GOOGLE_USER);
    const kickoff = truth.find((e) => e.summary === 'Project kickoff')!;
    expect(google.channels().some((channel) => channel.address.startsWith(stack.url))).toBe(true);
    const changedAt = Date.now();
    google.patchEvent(SANDBOX_GOOGLE_USER, kickoff.id, { summary: 'Project kickoff (moved to room 5)', location: 'Room 5' });
    const updated = await eventually(async () =>
      stack.bus.published.find((e) => e.type === 'calendar.event.updated' && (e.data as { event: { title: string } }).event.title === 'Project kickoff (moved to room 5)'),
    );
    expect(Date.now() - changedAt).toBeLessThan(5_000);
    expect(updated.tenantId).toBe(stack.devTenantId);
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const end = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const events = (await (await stack.api(`/v1/calendars/${calendarId}/events?start=${start}&end=${end}`)).json()) as { items: { title: string; location: string }[] };
    expect(events.items.find((e) => e.title === 'Project kickoff (moved to room 5)')?.location).toBe('Room 5');
    expect(google.pushLog.some((delivery) => delivery.status === 200)).toBe(true);
  });
});
