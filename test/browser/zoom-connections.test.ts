// The connections page's Zoom section in real Chromium (Debian's package, driven by playwright-core) against
// the whole local stack in sandbox mode, as an operator following the README uses it: connect the sandbox
// Server-to-Server app, see it listed with today's quota per Zoom user, see Zoom's refusal of wrong
// credentials at the fields, connect a Zoom user through OAuth, disconnect. Screenshots go to
// test/browser/artifacts/ (gitignored; CI keeps them as artifacts).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/net.ts';
import { zoomSandbox } from '../../infra/local/sandbox-zoom.ts';
import { SANDBOX_S2S } from '../simulators/zoom/index.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { chromiumPath } from './support/chromium.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const VIEWER_ZONE = 'Asia/Kolkata';
const DAY = 86_400_000;

let stack: TestStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
/** The 400 the wrong credentials are answered with: Chromium logs every failed response as a console error. */
const expectedFailures: RegExp[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function json<T>(response: Response, status: number): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}

type ZoomView = { id: string; kind: string; userId: string; createdAt: string; quota: { day: string; users: { userId: string; used: number; remaining: number }[] } };
const zoomConnections = async () => (await json<{ items: ZoomView[] }>(await stack.api('/v1/connections/zoom'), 200)).items;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_API_URL', 'ZOOM_WEBHOOK_SECRET_TOKEN']) delete process.env[name];
  const port = await freePort();
  // Zoom sends the browser back to the console: its origin must be an allowed return origin.
  process.env.ALLOWED_RETURN_ORIGINS = `http://localhost:${port}`;
  [stack, browser] = await Promise.all([startTestStack({ sandbox: 'on', port }), chromium.launch({ executablePath: chromiumPath(), headless: true })]);
  context = await browser.newContext({ ignoreHTTPSErrors: true, timezoneId: VIEWER_ZONE, locale: 'en-US', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = `${message.text()} (${message.location().url})`;
    if (!expectedFailures.some((pattern) => pattern.test(text))) consoleErrors.push(text);
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await stack?.stop();
  delete process.env.ALLOWED_RETURN_ORIGINS;
});

describe('connections page: Zoom', () => {
  let s2sId: string;

  it('signs in and shows an empty Zoom section with its connect form', async () => {
    await page.goto(`${stack.url}/console/#/connections`);
    await page.getByRole('button', { name: 'Use a development token (local stack)' }).click();
    await page.getByRole('heading', { name: 'Video: Zoom' }).waitFor();
    await page.getByText('No Zoom connections yet.').waitFor();
    for (const label of ['Account ID', 'Client ID', 'Client secret']) expect(await page.getByLabel(label, { exact: true }).count()).toBe(1);
  });

  it('connects the sandbox Server-to-Server app and lists it with status and today\'s quota per Zoom user', async () => {
    await page.getByLabel('Account ID', { exact: true }).fill(SANDBOX_S2S.accountId);
    await page.getByLabel('Client ID', { exact: true }).fill(SANDBOX_S2S.clientId);
    await page.getByLabel('Client secret', { exact: true }).fill(SANDBOX_S2S.clientSecret);
    // Keyboard only: Enter in the form submits it.
    await page.getByLabel('Client secret', { exact: true }).press('Enter');
    await page.getByText('Connect Zoom app: done.').waitFor();
    const listed = await zoomConnections();
    expect(listed).toHaveLength(1);
    s2sId = listed[0]!.id;
    const card = page.locator(`[data-zoom-connection="${s2sId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Server-to-Server app');
    expect(await card.textContent()).toContain('sandbox.host@example.com');
    expect(await card.locator('.badge').first().textContent()).toBe('active');
    const host = listed[0]!.userId;
    expect(await card.locator(`[data-zoom-user="${host}"] td`).allTextContents()).toEqual([`${host} (default host, sandbox.host@example.com)`, '0', '100']);
    // Times in the viewer's zone (the oracle formats the API's instant for New Delhi itself).
    const connectedAt = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: VIEWER_ZONE }).format(new Date(listed[0]!.createdAt));
    expect(await card.textContent()).toContain(connectedAt);
    const resetAt = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: VIEWER_ZONE }).format(new Date(Date.parse(`${listed[0]!.quota.day}T00:00:00Z`) + DAY));
    expect(await card.getByTestId('zoom-quota').locator('caption').textContent()).toContain(resetAt);
    expect(await card.textContent()).not.toContain(SANDBOX_S2S.clientSecret);
    await screenshot('zoom-01-connected');
  });

  it('shows Zoom\'s refusal of wrong credentials at the fields, focused and described', async () => {
    expectedFailures.push(/status of 400.*\/v1\/connections\/zoom/);
    await page.getByLabel('Account ID', { exact: true }).fill(SANDBOX_S2S.accountId);
    await page.getByLabel('Client ID', { exact: true }).fill(SANDBOX_S2S.clientId);
    await page.getByLabel('Client secret', { exact: true }).fill('not-the-secret');
    await page.getByRole('button', { name: 'Connect Zoom app', exact: true }).click();
    const secret = page.getByLabel('Client secret', { exact: true });
    await expect.poll(() => secret.getAttribute('aria-invalid')).toBe('true');
    // The independent answer: what the API itself says to the same request.
    const problem = await json<{ errors: { field: string; message: string }[] }>(await stack.api('/v1/connections/zoom', { method: 'POST', body: JSON.stringify({ ...SANDBOX_S2S, clientSecret: 'not-the-secret' }) }), 400);
    const secretError = problem.errors.find((e) => e.field === 'body.clientSecret')!;
    const describedBy = (await secret.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe(secretError.message);
    expect(await page.getByLabel('Account ID', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // Focus went to the first field named.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('zoom-accountId');
    expect(await zoomConnections()).toHaveLength(1);
    await screenshot('zoom-02-wrong-credentials');
  });

  it('counts meetings for two Zoom users and shows both rows with the counts the Zoom simulator recorded', async () => {
    // A Google host (sandbox OAuth, done by the API as a frontend would) whose booking types use two Zoom users.
    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const google = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
    let calendarId = '';
    await expect
      .poll(async () => {
        const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${google}/calendars`), 200)).items;
        calendarId = list.find((c) => c.isPrimary && c.lastSyncedAt)?.id ?? '';
        return calendarId;
      }, { timeout: 60_000 })
      .not.toBe('');
    const schedule = (await json<{ id: string }>(await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }), 201)).id;
    const zoom = zoomSandbox.simulator!;
    const users = [zoom.addUser({ email: 'ann.host@example.com', accountId: SANDBOX_S2S.accountId }), zoom.addUser({ email: 'ben.host@example.com', accountId: SANDBOX_S2S.accountId })];
    const from = Math.floor(Date.now() / DAY) * DAY + 14 * DAY;
    for (const [n, user] of users.entries()) {
      const body = { name: `Zoom ${n}`, durationMinutes: 30, assignment: 'collective', conference: 'zoom', hosts: [{ calendarIds: [calendarId], scheduleId: schedule, writeCalendarId: calendarId, video: { connectionId: s2sId, userId: user.id } }] };
      const typeId = (await json<{ id: string }>(await stack.api('/v1/booking-types', { method: 'POST', body: JSON.stringify(body) }), 201)).id;
      const slots = (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${typeId}/slots?start=${new Date(from + n * DAY).toISOString()}&end=${new Date(from + (n + 1) * DAY).toISOString()}`), 200)).slots;
      // Ann gets one booking, Ben two.
      for (let i = 0; i <= n; i++) {
        await json(await stack.api('/v1/bookings', { method: 'POST', body: JSON.stringify({ bookingTypeId: typeId, start: slots[i * 4]!.start, invitee: { name: `Invitee ${n}${i}`, email: `inv${n}${i}@example.com`, timeZone: 'UTC' } }) }), 201);
      }
    }
    await page.getByRole('button', { name: 'Refresh Zoom connections' }).click();
    const card = page.locator(`[data-zoom-connection="${s2sId}"]`);
    for (const user of users) {
      // The oracle: the simulator's own count of the user's creates today.
      const used = zoom.dailyUsage(user.id);
      await card.locator(`[data-zoom-user="${user.id}"]`).waitFor();
      expect(await card.locator(`[data-zoom-user="${user.id}"] td`).allTextContents()).toEqual([user.id, String(used), String(100 - used)]);
    }
    expect(users.map((u) => zoom.dailyUsage(u.id))).toEqual([1, 2]);
    await screenshot('zoom-03-two-users');
    // The overview's health table shows the same per-user counts.
    await page.getByRole('link', { name: 'Overview' }).click();
    const video = page.getByTestId('health-video');
    await video.waitFor();
    for (const user of users) expect(await video.textContent()).toContain(`${user.id}: ${zoom.dailyUsage(user.id)} of 100 (${100 - zoom.dailyUsage(user.id)} left)`);
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('heading', { name: 'Video: Zoom' }).waitFor();
  }, 120_000);

  it('connects a Zoom user with "Connect with Zoom" (OAuth with PKCE, back to the console)', async () => {
    await page.getByRole('button', { name: 'Connect with Zoom' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'connected' && url.searchParams.get('provider') === 'zoom');
    const userGrant = (await zoomConnections()).find((c) => c.kind === 'user')!;
    expect(new URL(page.url()).searchParams.get('connectionId')).toBe(userGrant.id);
    await page.locator(`[data-zoom-connection="${userGrant.id}"]`).waitFor();
    expect(await page.locator(`[data-zoom-connection="${userGrant.id}"] h4`).textContent()).toContain('zoom (user)');
    expect(await page.locator('[data-zoom-connection]').count()).toBe(2);
    await screenshot('zoom-04-user-connected');
  });

  it('disconnects the Server-to-Server app, and every page step was free of console errors', async () => {
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Disconnect Zoom app sandbox.host@example.com' }).click();
    await page.getByText('Disconnect Zoom: done.').waitFor();
    await expect.poll(async () => (await zoomConnections()).map((c) => c.id)).not.toContain(s2sId);
    await expect.poll(() => page.locator(`[data-zoom-connection="${s2sId}"]`).count()).toBe(0);
    expect((await stack.api(`/v1/connections/zoom/${s2sId}`)).status).toBe(404);
    await screenshot('zoom-05-disconnected');
    expect(consoleErrors).toEqual([]);
  });
});
