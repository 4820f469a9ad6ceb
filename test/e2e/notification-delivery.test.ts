import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from '../../infra/local/sandbox-google.ts';
import { notifySandbox } from '../../infra/local/sandbox-notify.ts';
import type { OutboxMessage } from '../../shared/notify/outbox.ts';
import { notificationOverrides } from '../../shared/runtime/deps/notifications.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { json } from '../support/json-response.ts';

/**
 * Notifications end to end on the sandbox stack (`npm start` with no credentials): a booking made through
 * the API reaches the invitee as an email with its .ics in the local SES store and in /local/outbox, the
 * delivery log lists it as sent; a revoked Google grant gives one Slack notice in the outbox.
 */
let stack: TestStack;
let bookingTypeId: string;
let connectionId: string;
let slots: { start: string }[];
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const post = (path: string, body: unknown) => stack.api(path, { method: 'POST', body: JSON.stringify(body) });
const outbox = async (channel?: string) => (await json<{ items: OutboxMessage[] }>(await fetch(`${stack.url}/local/outbox${channel ? `?channel=${channel}` : ''}`))).items;

interface NotificationView {
  id: string;
  status: string;
  channel: string;
  recipient: string;
  recipientKind: string;
  providerMessageId: string | null;
  subject: string | null;
  triggerEventType: string;
}

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'AWS_ENDPOINT_URL_SESV2']) delete process.env[name];
  notificationOverrides.resolver = async () => [{ address: '54.230.10.42', family: 4 }];
  stack = await startTestStack({ sandbox: 'on' });
  const { authorizationUrl } = await json<{ authorizationUrl: string }>(await post('/v1/connections/google/authorize', {}));
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }))).connection.id;
  const calendars = await eventually(async () => {
    const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await stack.api(`/v1/connections/${connectionId}/calendars`))).items;
    return list.find((c) => c.isPrimary)?.lastSyncedAt ? list : null;
  }, 60_000);
  const calendarId = calendars.find((c) => c.isPrimary)!.id;
  const schedule = await json<{ id: string }>(await post('/v1/schedules', { name: 'Always', timeZone: 'America/New_York', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }), 201);
  bookingTypeId = (await json<{ id: string }>(await post('/v1/booking-types', { name: 'Erstgespräch', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }] }), 201)).id;
  const from = Math.floor(Date.now() / DAY) * DAY + 3 * DAY;
  const week = (await json<{ slots: { start: string }[] }>(await stack.api(`/v1/booking-types/${bookingTypeId}/slots?start=${iso(from)}&end=${iso(from + 7 * DAY)}`))).slots;
  const byDay = Map.groupBy(week, (slot) => slot.start.slice(0, 10));
  slots = [...byDay.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  expect(slots.length).toBeGreaterThan(10);
}, 180_000);
afterAll(async () => {
  delete notificationOverrides.resolver;
  await stack?.stop();
});

describe('booking notifications through the local stack', () => {
  it('a booking → confirmation email with .ics (METHOD REQUEST) in the local SES and /local/outbox, SMS in the outbox, GET /v1/notifications lists them sent; reschedule and cancel follow', async () => {
    const invitee = { name: 'Ines Invitee', email: 'ines.notify@example.com', timeZone: 'Europe/Berlin', phone: '+4915112345678', locale: 'de-DE' };
    const booking = await json<{ id: string; start: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[1]!.start, invitee }), 201);

    const sesEmail = await eventually(async () => (await notifySandbox.ses!.emails()).find((email) => email.recipient === invitee.email), 30_000);
    expect(sesEmail.subject).toMatch(/^Bestätigt: Erstgespräch — /);
    const ics = sesEmail.attachments!.find((a) => a.filename === 'invite.ics')!;
    expect(ics.contentType).toContain('text/calendar');
    expect(ics.content).toContain('METHOD:REQUEST');
    expect(ics.content).toContain(`UID:${booking.id}@calendar-integrations`);
    expect(ics.content).toContain('SEQUENCE:0');
    // Dates as the invitee reads them: German words, Berlin's wall clock.
    const berlin = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(new Date(booking.start));
    expect(sesEmail.body).toContain(berlin);
    expect(sesEmail.body).toContain('/v1/public/unsubscribe?token=');

    const inOutbox = await eventually(async () => {
      const items = await outbox();
      const email = items.find((m) => m.channel === 'email' && m.recipient === invitee.email);
      const sms = items.find((m) => m.channel === 'sms' && m.recipient === invitee.phone);
      return email && sms ? { email, sms } : null;
    });
    expect(inOutbox.email).toMatchObject({ subject: sesEmail.subject, deliveredTo: 'local-ses', providerMessageId: sesEmail.providerMessageId });
    expect(inOutbox.email.attachments?.[0]?.content).toContain('METHOD:REQUEST');
    expect(inOutbox.sms.body).toContain('Bestätigt: Erstgespräch');

    const log = await eventually(async () => {
      const page = await json<{ items: NotificationView[] }>(await stack.api(`/v1/notifications?bookingId=${booking.id}&status=sent`));
      return page.items.length >= 3 ? page.items : null;
    });
    const emailRecord = log.find((n) => n.channel === 'email' && n.recipient === invitee.email)!;
    expect(emailRecord).toMatchObject({ status: 'sent', recipientKind: 'invitee', triggerEventType: 'booking.created', providerMessageId: sesEmail.providerMessageId });
    expect(log.find((n) => n.channel === 'sms')).toMatchObject({ status: 'sent', recipient: invitee.phone });
    // The host (the sandbox Google user) got one too, in English and in the zone of their schedule (New York).
    const hostEmails = await eventually(async () => {
      const found = (await notifySandbox.ses!.emails()).filter((email) => email.recipient === SANDBOX_GOOGLE_USER && email.attachments?.[0]?.content.includes(booking.id));
      return found.length > 0 ? found : null;
    });
    expect(hostEmails).toHaveLength(1);
    expect(hostEmails[0]!.subject).toMatch(/^Confirmed: Erstgespräch — /);
    expect(hostEmails[0]!.body).toContain(new Intl.DateTimeFormat('en', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(new Date(booking.start)));
    expect(log.find((n) => n.recipient === SANDBOX_GOOGLE_USER)).toMatchObject({ status: 'sent', recipientKind: 'host' });
    // The operators' integration log has an entry per notification sent, tied to the booking and its event.
    const entries = await eventually(async () => {
      const page = await json<{ items: { type: string; success: boolean; bookingId: string | null; correlationId: string | null; details: Record<string, unknown> }[] }>(await stack.api(`/v1/logs?bookingId=${booking.id}&type=notification.sent`));
      return page.items.length >= log.length ? page.items : null;
    });
    expect(new Set(entries.map((entry) => entry.details.channel))).toEqual(new Set(log.map((n) => n.channel)));
    const createdEvent = stack.bus.published.find((event) => event.type === 'booking.created' && (event.data as { booking: { id: string } }).booking.id === booking.id)!;
    expect(entries.every((entry) => entry.success && entry.bookingId === booking.id && entry.correlationId === createdEvent.id)).toBe(true);
    // Tenant isolation: another tenant's log is empty.
    const other = await stack.tokenFor('other-notify-tenant');
    expect((await json<{ items: unknown[] }>(await stack.api(`/v1/notifications?bookingId=${booking.id}`, { token: other }))).items).toEqual([]);

    await json(await post(`/v1/bookings/${booking.id}/reschedule`, { start: slots[3]!.start }));
    const update = await eventually(async () => (await notifySandbox.ses!.emails()).find((email) => email.recipient === invitee.email && email.subject?.startsWith('Verschoben')), 30_000);
    const updateIcs = update.attachments![0]!.content;
    expect(updateIcs).toContain('METHOD:REQUEST');
    expect(Number(/SEQUENCE:(\d+)/.exec(updateIcs)![1])).toBeGreaterThan(0);

    await json(await post(`/v1/bookings/${booking.id}/cancel`, { reason: 'Termin entfällt' }));
    const cancel = await eventually(async () => (await notifySandbox.ses!.emails()).find((email) => email.recipient === invitee.email && email.subject?.startsWith('Abgesagt')), 30_000);
    expect(cancel.attachments![0]!.content).toContain('METHOD:CANCEL');
    expect(cancel.body).toContain('Termin entfällt');

    // Each change sent once: one email per event to the invitee.
    expect((await notifySandbox.ses!.emails()).filter((email) => email.recipient === invitee.email)).toHaveLength(3);
  }, 120_000);

  it('the unsubscribe link opts the invitee out: the next booking email is suppressed, nothing sent', async () => {
    const invitee = { name: 'Uma', email: 'uma.optout@example.com', timeZone: 'UTC' };
    const first = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[5]!.start, invitee }), 201);
    const email = await eventually(async () => (await notifySandbox.ses!.emails()).find((e) => e.recipient === invitee.email), 30_000);
    const link = /(http\S+\/v1\/public\/unsubscribe\?token=[A-Za-z0-9_-]+)/.exec(email.body)![1]!;
    const page = await fetch(link.replace(/^http:\/\/localhost:\d+/, stack.url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('unsubscribed');
    expect((await fetch(`${stack.url}/v1/public/unsubscribe?token=${'x'.repeat(32)}`)).status).toBe(404);

    const second = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[7]!.start, invitee }), 201);
    const suppressed = await eventually(async () => (await json<{ items: NotificationView[] }>(await stack.api(`/v1/notifications?bookingId=${second.id}&status=suppressed`))).items[0]);
    expect(suppressed).toMatchObject({ channel: 'email', recipient: invitee.email });
    expect((await notifySandbox.ses!.emails()).filter((e) => e.recipient === invitee.email)).toHaveLength(1);
    expect(first.id).not.toBe(second.id);
  }, 90_000);

  it('SES throttling is retried through the notifications queue with backoff and sent once; a redelivered event sends nothing more', async () => {
    const invitee = { name: 'Theo', email: 'theo.throttle@example.com', timeZone: 'Asia/Tokyo' };
    // Nothing else in flight, so the throttled answer is the one to this booking's first email (the invitee's).
    await eventually(async () => Object.values(stack.queues).every((queue) => queue.depth === 0));
    // Throttled past the SDK's own three attempts, so the failure reaches the queue.
    for (let i = 0; i < 3; i++) notifySandbox.ses!.throttleNext();
    const booking = await json<{ id: string }>(await post('/v1/bookings', { bookingTypeId, start: slots[9]!.start, invitee }), 201);
    const sent = await eventually(async () => {
      const items = (await json<{ items: NotificationView[] & { attempts: number }[] }>(await stack.api(`/v1/notifications?bookingId=${booking.id}`))).items;
      return items.find((n) => n.recipient === invitee.email && n.status === 'sent');
    }, 60_000);
    expect((sent as unknown as { attempts: number }).attempts).toBe(2);
    const created = stack.bus.published.find((event) => event.type === 'booking.created' && (event.data as { booking: { id: string } }).booking.id === booking.id)!;
    // The bus delivers the same event again (EventBridge is at-least-once).
    await stack.bus.publish([created]);
    await eventually(async () => Object.values(stack.queues).every((queue) => queue.depth === 0));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await notifySandbox.ses!.emails()).filter((email) => email.recipient === invitee.email)).toHaveLength(1);
    const sentEvents = stack.bus.published.filter((event) => event.type === 'notification.sent' && (event.data as { recipient: string }).recipient === invitee.email);
    expect(new Set(sentEvents.map((event) => event.id)).size).toBe(1);
  }, 90_000);

  it('answers 400 naming the field for a bad status filter or cursor', async () => {
    const bad = await stack.api('/v1/notifications?status=delivered');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('query.status');
    const cursor = await stack.api('/v1/notifications?cursor=bm90LWEtY3Vyc29y');
    expect(cursor.status).toBe(400);
    expect(JSON.stringify(await cursor.json())).toContain('query.cursor');
  });
});

describe('operator notices through the local stack', () => {
  it('a connection whose Google grant is revoked produces exactly one Slack notice in the outbox', async () => {
    await json(await post('/v1/notification-channels', { kind: 'slack', target: { webhookUrl: 'https://hooks.slack.com/services/T0OPS/B0OPS/opsSecretPart1' }, eventTypes: ['connection.reauth_required', 'connection.disabled'] }), 201);
    const before = (await outbox('slack')).length;
    sandboxSimulators.google!.revokeUser(SANDBOX_GOOGLE_USER);
    // Two sync requests: the first finds the grant dead; the second finds the connection already reauth_required.
    await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST', body: '{}' });
    await eventually(async () => ((await json<{ status: string }>(await stack.api(`/v1/connections/${connectionId}`))).status === 'reauth_required'), 60_000);
    await stack.api(`/v1/connections/${connectionId}/sync`, { method: 'POST', body: '{}' });
    const notices = await eventually(async () => {
      const slack = (await outbox('slack')).slice(before);
      return slack.length > 0 ? slack : null;
    }, 30_000);
    // Let the queues drain, then count again.
    await eventually(async () => Object.values(stack.queues).every((queue) => queue.depth === 0));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = (await outbox('slack')).slice(before);
    expect(all).toHaveLength(1);
    expect(notices[0]!.subject).toContain('reconnect');
    expect(notices[0]!.recipient).toBe('https://hooks.slack.com/services/…');
    expect(JSON.stringify(all)).not.toContain('opsSecretPart1');
    const log = (await json<{ items: NotificationView[] }>(await stack.api('/v1/notifications?status=sent'))).items.filter((n) => n.triggerEventType === 'connection.reauth_required');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ channel: 'slack', recipientKind: 'operator' });
  }, 120_000);
});
