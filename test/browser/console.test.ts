// The operator console in real Chromium (Debian's package, driven by playwright-core; nothing is downloaded)
// against the whole local stack, the way a person following the README uses it. Screenshots of every page
// go to test/browser/artifacts/ (gitignored; CI keeps them as artifacts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/net.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { chromiumPath } from './support/chromium.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const VIEWER_ZONE = 'America/New_York';
const ENV = { ALLOW_INSECURE_WEBHOOK_URLS: '1' };

let stack: TestStack;
let receiver: WebhookReceiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Clicks `refresh` until `locator` shows up: the console shows what the API has when asked. */
async function refreshUntilVisible(refresh: () => Promise<void>, selector: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.locator(selector).first().waitFor({ state: 'visible', timeout: 750 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await refresh();
    }
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  const port = await freePort();
  // The console asks the provider to send the browser back to itself: its origin must be an allowed one.
  Object.assign(process.env, ENV, { ALLOWED_RETURN_ORIGINS: `http://localhost:${port}` });
  [stack, receiver, browser] = await Promise.all([
    startTestStack({ sandbox: 'on', port }),
    startWebhookReceiver(),
    chromium.launch({ executablePath: chromiumPath(), headless: true }),
  ]);
  // ignoreHTTPSErrors: the Graph simulator serves HTTPS with a CA generated per data folder (.data/simulator-ca).
  context = await browser.newContext({ ignoreHTTPSErrors: true, timezoneId: VIEWER_ZONE, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await receiver?.stop();
  await stack?.stop();
  for (const name of [...Object.keys(ENV), 'ALLOWED_RETURN_ORIGINS']) delete process.env[name];
});

describe('operator console in Chromium', () => {
  let calendarId: string;

  it('signs in with a development token from the local issuer', async () => {
    await page.goto(`${stack.url}/console`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Operator console');
    await screenshot('01-sign-in');
    await page.getByRole('button', { name: 'Use a development token (local stack)' }).click();
    await page.getByTestId('tenant').waitFor();
    expect(await page.getByTestId('tenant').textContent()).toBe(stack.devTenantId);
    await page.getByText('No connections yet').waitFor();
    expect(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    await screenshot('02-overview-empty');
  });

  it('connects the sandbox Google account through the OAuth redirect and lists its calendars', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'Connect Google' }).click();
    // Console → simulator consent → /v1/oauth/google/callback → 302 back to the console.
    await page.waitForURL((url) => /^\/console\/(index\.html)?$/.test(url.pathname) && url.searchParams.get('status') === 'connected');
    await page.getByText('Account connected').waitFor();
    const card = page.locator('[data-connection]');
    await card.first().waitFor();
    expect(await card.count()).toBe(1);
    expect(await card.first().textContent()).toContain('google: sandbox.user@example.com');
    const listed = (await (await stack.api('/v1/connections')).json()) as { items: { id: string; status: string }[] };
    expect(await card.first().getAttribute('data-connection')).toBe(listed.items[0]!.id);

    await card.first().getByRole('button', { name: 'Calendars' }).click();
    const calendars = (await (await stack.api(`/v1/connections/${listed.items[0]!.id}/calendars`)).json()) as { items: { id: string; name: string; isPrimary: boolean; syncEnabled: boolean }[] };
    const primary = calendars.items.find((c) => c.isPrimary)!;
    calendarId = primary.id;
    const toggle = page.getByLabel(`sync ${primary.name}`);
    expect(await toggle.isChecked()).toBe(true);
    // The per-calendar toggle goes through PATCH /v1/calendars/{id}: off, then on again.
    await toggle.uncheck();
    expect(await toggle.isChecked()).toBe(false);
    await expect.poll(async () => ((await (await stack.api(`/v1/connections/${listed.items[0]!.id}/calendars`)).json()) as typeof calendars).items.find((c) => c.id === calendarId)!.syncEnabled).toBe(false);
    await page.getByText(`Sync off for ${primary.name}: done.`).waitFor();
    await toggle.check();
    await expect.poll(async () => ((await (await stack.api(`/v1/connections/${listed.items[0]!.id}/calendars`)).json()) as typeof calendars).items.find((c) => c.id === calendarId)!.syncEnabled).toBe(true);
    await page.getByText(`Sync on for ${primary.name}: done.`).waitFor();
    await card.first().getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('Sync sandbox.user@example.com: done.', { exact: true }).waitFor();
  });

  it('connects the sandbox Microsoft 365 account the same way', async () => {
    const googleConnectionId = new URL(page.url()).searchParams.get('connectionId');
    await page.getByRole('button', { name: 'Connect Microsoft 365' }).click();
    // Back from the Graph simulator's consent with the new connection's id.
    await page.waitForURL((url) => url.searchParams.get('status') === 'connected' && ![null, googleConnectionId].includes(url.searchParams.get('connectionId')));
    await page.locator('[data-connection]', { hasText: 'microsoft: adele@contoso.test' }).waitFor();
    const listed = (await (await stack.api('/v1/connections')).json()) as { items: { provider: string }[] };
    expect(listed.items.map((c) => c.provider).sort()).toEqual(['google', 'microsoft']);
    expect(await page.locator('[data-connection]').count()).toBe(2);
    await screenshot('03-connections');
  });

  it("shows the calendar's events in a week view, in the viewer's zone, and a change made at Google", async () => {
    // The seeded meeting is tomorrow 10:00–11:00 in the sandbox user's zone (UTC).
    const sandboxEvents = (await (await fetch(`${stack.url}/local/sandbox/google/events`)).json()) as { items: { id: string; summary: string; start: { dateTime?: string } }[] };
    const kickoff = sandboxEvents.items.find((e) => e.summary === 'Project kickoff')!;
    const startsAt = new Date(kickoff.start.dateTime!);
    // Independent oracle: what a New York viewer's clock says, and which New York day it falls on.
    const clock = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', timeZone: VIEWER_ZONE }).format(startsAt);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: VIEWER_ZONE }).format(startsAt);
    await page.goto(`${stack.url}/console/#/events?calendar=${encodeURIComponent(calendarId)}&week=${day}`);
    expect(await page.getByTestId('viewer-zone').textContent()).toBe(VIEWER_ZONE);
    const refresh = () => page.getByRole('button', { name: 'Refresh events' }).click();
    await refreshUntilVisible(refresh, `[data-day="${day}"] .event:has-text("Project kickoff")`);
    const entry = page.locator(`[data-day="${day}"] .event`, { hasText: 'Project kickoff' });
    expect(await entry.locator('.when').textContent()).toMatch(new RegExp(`^${clock}–`));
    await screenshot('04-events-week');

    const changed = await fetch(`${stack.url}/local/sandbox/google/events/${kickoff.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'Project kickoff (room 5)' }),
    });
    expect(changed.status).toBe(200);
    await refreshUntilVisible(refresh, `[data-day="${day}"] .event:has-text("Project kickoff (room 5)")`);
    await screenshot('05-events-changed');
  });

  it('shows free/busy for the primary calendar', async () => {
    await page.getByRole('link', { name: 'Free/busy' }).click();
    await page.getByRole('button', { name: 'Show busy time' }).click();
    await page.getByRole('heading', { name: /^Merged busy time/ }).waitFor();
    expect(await page.getByTestId('busy-merged').locator('li').count()).toBeGreaterThan(0);
    await screenshot('06-free-busy');
  });

  it('lists booking types and their slots, and bookings with a cancel', async () => {
    const schedule = (await (await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Every day', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => ({ day: d, start: '08:00', end: '18:00' })) }) })).json()) as { id: string };
    const created = await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Intro call', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }] }) });
    expect(created.status).toBe(201);
    await page.getByRole('link', { name: 'Booking types' }).click();
    await page.getByRole('button', { name: 'Slots of Intro call' }).click();
    await page.getByRole('heading', { name: /^Free slots in the next 7 days/ }).waitFor();
    await screenshot('07-booking-types');
    // Independent oracle: the same booking type's slots from the API, over a range the page's range covers.
    const bookingType = (await created.json()) as { id: string };
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const { slots } = (await (await stack.api(`/v1/booking-types/${bookingType.id}/slots?start=${soon}&end=${later}`)).json()) as { slots: { start: string }[] };
    expect(slots.length).toBeGreaterThan(0);
    expect(await page.getByTestId('slots').locator('li').count()).toBeGreaterThanOrEqual(slots.length);
    const booked = await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: bookingType.id, start: slots[0]!.start, invitee: { name: 'Ada Invitee', email: 'ada@example.com', timeZone: VIEWER_ZONE } }) });
    expect(booked.status).toBe(201);
    const booking = (await booked.json()) as { id: string };
    await page.getByRole('link', { name: 'Bookings' }).click();
    const row = page.locator(`[data-booking="${booking.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Ada Invitee');
    await screenshot('08-bookings');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Cancel booking' }).click();
    await expect.poll(async () => ((await (await stack.api(`/v1/bookings/${booking.id}`)).json()) as { status: string }).status, { timeout: 10_000 }).toBe('cancelled');
    await row.getByText('cancelled', { exact: true }).waitFor();
  });

  it('creates a webhook endpoint, sends a test and shows the delivery', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel(/^Event types/).fill('*');
    await page.getByLabel('Description').fill('console test');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    expect(await page.getByTestId('endpoint-secret').textContent()).toMatch(/^whsec_/);
    const card = page.locator('[data-endpoint]').first();
    await card.getByRole('button', { name: 'Send test' }).click();
    await receiver.waitFor((all) => all.some((d) => d.body.includes('"webhook.test"')));
    await refreshUntilVisible(() => card.getByRole('button', { name: 'Refresh deliveries' }).click(), '[data-delivery]:has-text("webhook.test"):has-text("succeeded")');
    const endpointId = await card.getAttribute('data-endpoint');
    const deliveries = (await (await stack.api(`/v1/webhook-endpoints/${endpointId}/deliveries`)).json()) as { items: { id: string; eventType: string; status: string }[] };
    expect(await card.locator('[data-delivery]').first().getAttribute('data-delivery')).toBe(deliveries.items.find((d) => d.eventType === 'webhook.test')!.id);
    await screenshot('09-webhooks');
  });

  it('creates an operator channel and shows the delivery log and the local outbox', async () => {
    await page.getByRole('link', { name: 'Notifications' }).click();
    // Email: a Slack URL must resolve to a public address, which a machine without internet cannot check.
    await page.getByLabel('Kind').selectOption('email');
    await page.getByLabel('Email address').fill('ops@example.com');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await expect.poll(async () => ((await (await stack.api('/v1/notification-channels')).json()) as { items: { id: string; kind: string }[] }).items.find((c) => c.kind === 'email')).toBeDefined();
    const email = ((await (await stack.api('/v1/notification-channels')).json()) as { items: { id: string; kind: string }[] }).items.find((c) => c.kind === 'email')!;
    await page.locator(`[data-channel="${email.id}"]`).waitFor();
    // The booking made earlier sent its invitee a confirmation: the same record in the page as in the API.
    await expect
      .poll(async () => ((await (await stack.api('/v1/notifications?status=sent')).json()) as { items: { id: string; recipient: string }[] }).items.filter((n) => n.recipient === 'ada@example.com').length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const records = ((await (await stack.api('/v1/notifications')).json()) as { items: { id: string; recipient: string }[] }).items;
    await refreshUntilVisible(() => page.getByRole('button', { name: 'Refresh log' }).click(), `[data-notification="${records.find((n) => n.recipient === 'ada@example.com')!.id}"]`);
    await refreshUntilVisible(() => page.getByRole('button', { name: 'Refresh outbox' }).click(), '[data-outbox="email"]:has-text("ada@example.com")');
    await screenshot('10-notifications');
  });

  it('opens the integration log filtered to an error', async () => {
    // An error to find: the receiver answers 500 to a test message, so the attempt is logged as webhook.failed.
    receiver.setBehaviour({ kind: 'fail', status: 500 });
    const endpoints = (await (await stack.api('/v1/webhook-endpoints')).json()) as { items: { id: string }[] };
    expect((await stack.api(`/v1/webhook-endpoints/${endpoints.items[0]!.id}/test`, { method: 'POST', body: '{}' })).status).toBeLessThan(300);
    await expect
      .poll(async () => ((await (await stack.api('/v1/logs?type=webhook.failed')).json()) as { items: unknown[] }).items.length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    receiver.setBehaviour({ kind: 'ok' });

    await page.getByRole('link', { name: 'Log' }).click();
    const filters = page.getByRole('form', { name: 'Log filters' });
    await filters.waitFor();
    for (const label of ['Connection', 'Booking id', 'Type', 'Errors only', 'Since']) expect(await filters.getByLabel(label).count()).toBe(1);
    // Unfiltered, the log has the connection's sync runs too.
    await page.locator('[data-type="sync.run"]').first().waitFor();
    await filters.getByLabel('Type').selectOption('webhook.failed');
    await filters.getByLabel('Errors only').check();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.hash.includes('success=false') && url.hash.includes('type=webhook.failed'));
    const answer = (await (await stack.api('/v1/logs?success=false&type=webhook.failed')).json()) as { items: { id: string; summary: string }[] };
    await page.getByText(`${answer.items.length} entries`, { exact: true }).waitFor();
    const rows = page.getByTestId('log-table').locator('tbody tr');
    expect(await rows.count()).toBe(answer.items.length);
    expect(await rows.evaluateAll((trs) => trs.every((tr) => tr.classList.contains('row-error') && tr.getAttribute('data-type') === 'webhook.failed'))).toBe(true);
    const first = page.locator(`[data-entry="${answer.items[0]!.id}"]`);
    expect(await first.textContent()).toContain('webhook.http_5xx');
    expect(await first.textContent()).toContain(answer.items[0]!.summary);
    await screenshot('11-log');
  });

  it('shows the overview with the connection, and every page was free of console errors', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('connection-summary').waitFor();
    expect(await page.getByTestId('connection-summary').textContent()).toContain('active');
    // The health overview: the connection healthy, the endpoint that just failed degraded, the tenant degraded.
    const connections = page.getByTestId('health-connections');
    await connections.waitFor();
    const health = (await (await stack.api('/v1/health/integrations')).json()) as { status: string; connections: { accountEmail: string | null; health: string }[] };
    for (const connection of health.connections) expect(await connections.locator(`tr:has-text("${connection.accountEmail}")`).textContent()).toContain(connection.health);
    expect(await page.getByTestId('health-webhooks').locator('tbody tr').first().textContent()).toMatch(/degraded.*HTTP 500/);
    expect(await page.getByTestId('health').locator('p').first().textContent()).toContain(`Overall ${health.status}`);
    await screenshot('12-overview');
    // Keyboard: from the top of the document the skip link is the first stop and moves focus to the page
    // heading (navigation focuses the heading, and the overview has links after it, so start from the top).
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-title');
    expect(consoleErrors).toEqual([]);
  });
});
