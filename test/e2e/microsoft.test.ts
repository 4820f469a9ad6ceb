import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { microsoftSandbox, SANDBOX_MICROSOFT_USER } from '../../infra/local/sandbox-microsoft.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { eventually } from '../support/eventually.ts';

let stack: TestStack;


interface ApiEvent {
  id: string;
  providerEventId: string;
  title: string;
  location: string | null;
  kind: string;
  start: { dateTime?: string; date?: string; timeZone?: string | null };
  conference: { provider: string; url: string | null; joinUrl: string | null; id: string | null; meetingId: string | null; dialIn?: { number: string; country: string | null }[] } | null;
  attendees: { email: string; responseStatus: string; optional: boolean }[];
}

beforeAll(async () => {
  for (const name of ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
});
afterAll(() => stack?.stop());

describe('Microsoft 365 end to end in the local stack (sandbox Graph simulator)', () => {
  let connectionId: string;
  let calendarId: string;
  const range = () => `start=${new Date(Date.now() - 86_400_000).toISOString()}&end=${new Date(Date.now() + 60 * 86_400_000).toISOString()}`;
  const events = async () => ((await (await stack.api(`/v1/calendars/${calendarId}/events?${range()}`)).json()) as { items: ApiEvent[] }).items;

  it('connects through the Microsoft identity platform with PKCE and minimal scopes', async () => {
    const authorize = await stack.api('/v1/connections/microsoft/authorize', { method: 'POST', body: JSON.stringify({}) });
    expect(authorize.status).toBe(200);
    const { authorizationUrl } = (await authorize.json()) as { authorizationUrl: string };
    const url = new URL(authorizationUrl);
    expect(url.pathname).toMatch(/\/common\/oauth2\/v2\.0\/authorize$/);
    expect(url.searchParams.get('scope')).toBe('offline_access Calendars.ReadWrite User.Read');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${stack.url}/v1/oauth/microsoft/callback`);

    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callbackUrl = consent.headers.get('location')!;
    const callback = await fetch(callbackUrl, { redirect: 'manual' });
    expect(callback.status).toBe(200);
    const body = (await callback.json()) as { status: string; connection: { id: string; accountEmail: string; displayName: string; status: string; provider: string } };
    expect(body).toMatchObject({ status: 'connected', connection: { provider: 'microsoft', accountEmail: SANDBOX_MICROSOFT_USER, displayName: 'Adele Vance', status: 'active' } });
    expect(JSON.stringify(body)).not.toMatch(/refresh|access_token|eyJ/i);
    connectionId = body.connection.id;

    const replay = await fetch(callbackUrl, { redirect: 'manual' });
    expect(replay.status).toBe(400);
  });

  it('lists the mailbox calendars and syncs them: Windows zones, Teams, series occurrences', async () => {
    const calendars = (await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; isPrimary: boolean; timeZone: string | null; provider: string }[] };
    const primary = calendars.items.find((c) => c.isPrimary)!;
    expect(primary).toMatchObject({ provider: 'microsoft', timeZone: 'Europe/Berlin' });
    calendarId = primary.id;
    await eventually(async () => ((await (await stack.api(`/v1/connections/${connectionId}`)).json()) as { lastSyncedAt: string | null }).lastSyncedAt);

    const items = await events();
    const review = items.find((e) => e.title === 'Quarterly review')!;
    expect(review.start.timeZone).toBe('Europe/Berlin');
    // The API's names (the video issue): microsoft_teams, joinUrl and meetingId; url and id kept alike.
    expect(review.conference).toMatchObject({ provider: 'microsoft_teams', status: 'ready' });
    expect(review.conference!.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    expect(review.conference!.url).toBe(review.conference!.joinUrl);
    expect(review.conference!.id).toBe(review.conference!.meetingId);
    // The Graph simulator's own onlineMeeting: its conference id and toll number, read back as meetingId and dialIn.
    const atGraph = microsoftSandbox.simulator!.getEvent(review.providerEventId) as unknown as { onlineMeeting: { conferenceId: string; tollNumber: string } };
    expect(review.conference).toMatchObject({ meetingId: atGraph.onlineMeeting.conferenceId, dialIn: [{ number: atGraph.onlineMeeting.tollNumber, country: null }] });
    expect(review.attendees.map((a) => [a.email, a.responseStatus, a.optional])).toEqual([
      ['megan@contoso.test', 'accepted', false],
      ['lee@contoso.test', 'tentative', true],
    ]);
    expect(items.find((e) => e.title === 'Company holiday')?.start.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const weekly = items.filter((e) => e.title.startsWith('Weekly sync'));
    expect(weekly.some((e) => e.kind === 'exception' && e.title === 'Weekly sync (moved)')).toBe(true);
    expect(weekly.filter((e) => e.kind === 'occurrence').length).toBeGreaterThanOrEqual(4);
    expect(stack.bus.published.filter((e) => e.type === 'calendar.event.created').length).toBeGreaterThanOrEqual(6);
  });

  it('turns a change in Outlook into a notification, a sync and an updated event', async () => {
    const graph = microsoftSandbox.simulator!;
    const subscriptions = graph.subscriptions(SANDBOX_MICROSOFT_USER);
    expect(subscriptions.map((s) => s.notificationUrl)).toContain(`${stack.url}/hooks/microsoft`);
    expect(subscriptions.map((s) => s.lifecycleNotificationUrl)).toContain(`${stack.url}/hooks/microsoft/lifecycle`);

    const review = (await events()).find((e) => e.title === 'Quarterly review')!;
    const changedAt = Date.now();
    graph.updateEvent(review.providerEventId, { subject: 'Quarterly review (room change)', location: { displayName: 'Conference room Main' } });
    const updated = await eventually(async () =>
      stack.bus.published.find((e) => e.type === 'calendar.event.updated' && (e.data as { event: { title: string } }).event.title === 'Quarterly review (room change)'),
    );
    expect(Date.now() - changedAt).toBeLessThan(5_000);
    expect(updated.tenantId).toBe(stack.devTenantId);
    expect((await events()).find((e) => e.id === review.id)).toMatchObject({ title: 'Quarterly review (room change)', location: 'Conference room Main' });
    expect(graph.deliveryLog().some((d) => d.kind === 'notification' && d.status === 202)).toBe(true);
    expect(graph.deliveryLog().filter((d) => d.kind === 'validation').every((d) => d.outcome === 'delivered')).toBe(true);
  });

  it('answers the validation handshake on both URLs and refuses a malformed body without 5xx', async () => {
    for (const path of ['/hooks/microsoft', '/hooks/microsoft/lifecycle']) {
      const started = performance.now();
      const response = await fetch(`${stack.url}${path}?validationToken=Validation%3A+Testing+client+%26+more`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('Validation: Testing client & more');
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    const malformed = await fetch(`${stack.url}/hooks/microsoft`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": "nope"' });
    expect(malformed.status).toBe(400);
    const forged = await fetch(`${stack.url}/hooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: microsoftSandbox.simulator!.subscriptions(SANDBOX_MICROSOFT_USER)[0]!.id, clientState: 'guess', changeType: 'updated' }] }),
    });
    expect(forged.status).toBe(202);
  });

  it('disconnecting deletes the Graph subscriptions; a late notification for them is ignored', async () => {
    const graph = microsoftSandbox.simulator!;
    const [subscription] = graph.subscriptions(SANDBOX_MICROSOFT_USER);
    const response = await stack.api(`/v1/connections/${connectionId}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(graph.subscriptions(SANDBOX_MICROSOFT_USER)).toEqual([]);
    const late = await fetch(`${stack.url}/hooks/microsoft`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: subscription!.id, clientState: subscription!.clientState, changeType: 'updated' }] }),
    });
    expect(late.status).toBe(202);
    expect(stack.bus.published.some((e) => e.type === 'connection.deleted')).toBe(true);
  });
});
