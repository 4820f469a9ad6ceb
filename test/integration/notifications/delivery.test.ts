import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { NotificationChannel } from '../../../shared/domain/notification-channel.ts';
import { SesEmailSender } from '../../../shared/notify/ses/ses-email-sender.ts';
import { SlackWebhookSender } from '../../../shared/notify/slack/slack-webhook-sender.ts';
import { SnsSmsSender } from '../../../shared/notify/sms/sns-sms-sender.ts';
import { WhatsAppCloudSender } from '../../../shared/notify/whatsapp/whatsapp-cloud-sender.ts';
import { DynamoIdempotencyStore } from '../../../shared/storage/dynamo-idempotency-store.ts';
import { DynamoNotificationChannelStore } from '../../../shared/storage/dynamo-notification-channel-store.ts';
import { DynamoNotificationLog } from '../../../shared/storage/dynamo-notification-log.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';
import { deliverNotification, type NotificationRequest } from '../../../shared/use-cases/notifications/deliver-notification.ts';
import { notifyOperators, type OperatorNoticeDeps } from '../../../shared/use-cases/notifications/operator-notices.ts';
import { renderNotification } from '../../../shared/use-cases/notifications/templates/render.ts';
import { createTestTable } from '../../support/dynamo.ts';
import { RecordingPublisher, TestClock } from '../../support/stores.ts';
import { startLocalSes, startSlackSimulator, startSnsSimulator, startWhatsAppSimulator, type LocalSes, type SlackSimulator, type SnsSimulator, type WhatsAppSimulator } from '../../simulators/notify/index.ts';

/**
 * The failure matrix of issue 14 against real components: the delivery log and channels in DynamoDB Local,
 * the senders over their wire formats to the local SES and the SNS, Slack and WhatsApp simulators.
 */
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let ses: LocalSes;
let sns: SnsSimulator;
let slack: SlackSimulator;
let whatsapp: WhatsAppSimulator;
let deps: OperatorNoticeDeps;
let publisher: RecordingPublisher;
let channels: DynamoNotificationChannelStore;
let log: DynamoNotificationLog;
const clock = new TestClock('2026-12-07T09:00:00Z');
let tenantId: string;

beforeAll(async () => {
  [ses, sns, slack, whatsapp] = await Promise.all([startLocalSes(), startSnsSimulator(), startSlackSimulator(), startWhatsAppSimulator()]);
  const table = await createTestTable('notify');
  const cipher = new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key: randomBytes(32) }) });
  log = new DynamoNotificationLog({ doc: table.doc, tableName: table.tableName });
  channels = new DynamoNotificationChannelStore({ doc: table.doc, tableName: table.tableName, cipher });
  publisher = new RecordingPublisher();
  deps = {
    log,
    optOuts: log,
    publisher,
    clock,
    publicBaseUrl: 'http://localhost:3000',
    channels,
    idempotency: new DynamoIdempotencyStore({ doc: table.doc, tableName: table.tableName, clock }),
    defaultLocale: 'en',
    senders: {
      email: new SesEmailSender({ client: async () => new SESv2Client({ region: 'us-east-1', endpoint: ses.url, credentials, maxAttempts: 1 }), from: 'Bookings <bookings@example.com>' }),
      sms: new SnsSmsSender({ client: async () => new SNSClient({ region: 'us-east-1', endpoint: sns.url, credentials, maxAttempts: 1 }) }),
      slack: new SlackWebhookSender({ allowInsecure: true }),
      whatsapp: new WhatsAppCloudSender({ apiUrl: whatsapp.url, phoneNumberId: whatsapp.phoneNumberId, token: whatsapp.token }),
    },
  };
}, 60_000);
afterAll(async () => {
  await Promise.all([ses?.stop(), sns?.stop(), slack?.stop(), whatsapp?.stop()]);
});
beforeEach(() => {
  tenantId = `t-${randomBytes(4).toString('hex')}`;
  publisher.clear();
});

let eventCounter = 0;
const trigger = () => ({ eventId: `msg_event_${++eventCounter}`, eventType: 'booking.created', time: clock.now().toISOString() });

function request(channel: 'email' | 'sms' | 'whatsapp', address: string, eventTrigger = trigger()): NotificationRequest {
  return {
    tenantId,
    trigger: eventTrigger,
    recipientKind: 'invitee',
    address,
    displayRecipient: address,
    channelId: null,
    bookingId: 'bkg_01JB3Y6M2QH9N7S5V4T0W8X1ZA',
    template: 'booking.created',
    render: (links) =>
      renderNotification(
        { template: 'booking.created', locale: 'en', values: { title: 'Intro call', name: 'Ana', when: 'Monday, 4 January 2027 at 10:00 CET' }, joinUrl: 'https://meet.example/abc', unsubscribeUrl: links.unsubscribeUrl },
        channel === 'email' ? { channel, email: address } : { channel, phone: address },
      ),
  };
}

async function channel(kind: NotificationChannel['kind'], target: NotificationChannel['target'], eventTypes: string[], secret: string | null = null): Promise<NotificationChannel> {
  const now = clock.now().toISOString();
  const created: NotificationChannel = { tenantId, id: `ntc_${randomBytes(13).toString('hex').toUpperCase().slice(0, 26)}`, kind, target, eventTypes, status: 'active', brokenReason: null, createdAt: now, updatedAt: now, version: 1 };
  await channels.create(created, secret);
  return created;
}

describe('the failure matrix', () => {
  it('retries SES throttling: the first attempt throws retryable and leaves it queued, the next sends once; a redelivery sends nothing more', async () => {
    const to = `ana+${randomBytes(3).toString('hex')}@example.com`;
    const req = request('email', to);
    ses.throttleNext();
    const first = await deliverNotification(deps, req, { attempt: 1, final: false }).catch((error: unknown) => error);
    expect(isAppError(first, 'notify.throttled')).toBe(true);
    expect((first as { retryable: boolean }).retryable).toBe(true);
    const queued = (await log.list(tenantId, { limit: 10 })).items;
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ status: 'queued', attempts: 1, error: { code: 'notify.throttled' } });

    const second = await deliverNotification(deps, req, { attempt: 2, final: false });
    expect(second).toMatchObject({ status: 'sent', attempts: 2, error: null, subject: 'Confirmed: Intro call — Monday, 4 January 2027 at 10:00 CET' });
    const third = await deliverNotification(deps, req, { attempt: 3, final: false });
    expect(third.status).toBe('sent');

    const emails = (await ses.emails()).filter((email) => email.recipient === to);
    expect(emails).toHaveLength(1);
    expect(second.providerMessageId).toBe(emails[0]!.providerMessageId);
    expect(emails[0]!.body).toContain('/v1/public/unsubscribe?token=');
    // Announced once per notification: the redelivery repeats the same event id (consumers dedupe on it).
    expect(new Set(publisher.ofType('notification.sent').map((event) => event.id)).size).toBe(1);
  });

  it('a transient failure on the final attempt is failed for good and evented', async () => {
    ses.throttleNext();
    const record = await deliverNotification(deps, request('email', 'final@example.com'), { attempt: 6, final: true });
    expect(record).toMatchObject({ status: 'failed', error: { code: 'notify.throttled' } });
    expect(publisher.ofType('notification.failed')).toHaveLength(1);
  });

  it('does not retry an invalid phone number: failed at once, notification.failed', async () => {
    const before = sns.messages.length;
    const record = await deliverNotification(deps, request('sms', '+12'), { attempt: 1, final: false });
    expect(record).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'notify.recipient_invalid' } });
    // A redelivery of the same event does not try again.
    expect((await deliverNotification(deps, request('sms', '+12', { eventId: record.triggerEventId, eventType: 'booking.created', time: clock.now().toISOString() }))).attempts).toBe(1);
    expect(sns.messages.length).toBe(before);
    const failed = publisher.ofType('notification.failed');
    expect(new Set(failed.map((event) => event.id)).size).toBe(1);
    expect(failed[0]!.data).toMatchObject({ channel: 'sms', recipient: '+12', error: { code: 'notify.recipient_invalid' } });
  });

  it('a rejected WhatsApp template is not retried and is evented as notification.failed', async () => {
    const templates = whatsapp.templates.splice(0, whatsapp.templates.length, ...whatsapp.templates.filter((t) => t.name !== 'booking_confirmed'));
    try {
      const record = await deliverNotification(deps, request('whatsapp', '+4915112345678'), { attempt: 1, final: false });
      expect(record).toMatchObject({ status: 'failed', channel: 'whatsapp', error: { code: 'notify.template_rejected' } });
      expect(publisher.ofType('notification.failed').map((e) => e.data)).toEqual([expect.objectContaining({ notificationId: record.id, error: expect.objectContaining({ code: 'notify.template_rejected' }) })]);
    } finally {
      whatsapp.templates.splice(0, whatsapp.templates.length, ...templates);
    }
    // With the template approved again it goes through, rendered.
    const sent = await deliverNotification(deps, request('whatsapp', '+4915112345679'));
    expect(sent.status).toBe('sent');
    expect(whatsapp.messages.at(-1)).toMatchObject({ recipient: '+4915112345679', body: 'Your booking Intro call is confirmed for Monday, 4 January 2027 at 10:00 CET. Join: https://meet.example/abc' });
  });

  it('a Slack hook that answers 404 marks its channel broken and sends an operator notice to the other channels', async () => {
    const hook = slack.createHook();
    slack.remove(hook);
    const broken = await channel('slack', { webhookUrl: `${new URL(hook).origin}/services/…` }, ['connection.*'], hook);
    const ops = `ops+${randomBytes(3).toString('hex')}@example.com`;
    await channel('email', { email: ops }, ['notification.channel_broken']);
    const event = { id: `msg_disabled_${++eventCounter}`, type: 'connection.disabled', time: clock.now().toISOString(), tenantId, data: { connectionId: 'con_1', provider: 'google', status: 'disabled', accountEmail: 'ana@example.com', consecutiveErrors: 8, error: { code: 'provider.unavailable', message: 'Google answered 503' } } };
    const records = await notifyOperators(deps, event, { attempt: 1, final: false });
    expect(records).toEqual([expect.objectContaining({ channel: 'slack', status: 'failed', error: expect.objectContaining({ code: 'notify.target_gone' }) })]);
    expect(await channels.get(tenantId, broken.id)).toMatchObject({ status: 'broken', brokenReason: expect.stringContaining('404') });
    const notices = (await ses.emails()).filter((email) => email.recipient === ops);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe('Notification channel broken');
    expect(notices[0]!.body).toContain(broken.id);
    // A broken channel gets nothing more.
    expect(await notifyOperators(deps, { ...event, id: `msg_disabled_${++eventCounter}` }, { attempt: 1, final: false })).toEqual([]);
  });
});

describe('opt-outs', () => {
  it('an SMS recipient who sent STOP (SNS OptedOut) is failed once and suppressed from then on', async () => {
    const phone = '+14155550123';
    sns.optedOut.add(phone);
    const first = await deliverNotification(deps, request('sms', phone));
    expect(first).toMatchObject({ status: 'failed', error: { code: 'notify.suppressed' } });
    sns.optedOut.delete(phone);
    const before = sns.messages.length;
    const next = await deliverNotification(deps, request('sms', phone));
    expect(next.status).toBe('suppressed');
    expect(sns.messages.length).toBe(before);
  });

  it('a recipient who opted out by link gets nothing, recorded as suppressed', async () => {
    await log.optOut(tenantId, 'email', 'Gone@Example.com', 'link', clock.now());
    const record = await deliverNotification(deps, request('email', 'gone@example.com'));
    expect(record.status).toBe('suppressed');
    expect((await ses.emails()).filter((email) => email.recipient === 'gone@example.com')).toEqual([]);
  });
});

describe('operator notices', () => {
  it('connection.sync_failed reaches an operator once per connection per day; a retry of that notice still goes out', async () => {
    const hook = slack.createHook();
    await channel('slack', { webhookUrl: 'masked' }, ['connection.sync_failed'], hook);
    const failed = (n: number, time: string, connectionId = 'con_sync') => ({ id: `msg_sync_${n}_${++eventCounter}`, type: 'connection.sync_failed', time, tenantId, data: { connectionId, provider: 'google', status: 'active', accountEmail: 'ana@example.com', consecutiveErrors: n, error: { code: 'provider.unavailable', message: 'timeout' } } });
    slack.throttleNext(0);
    const first = failed(1, '2026-12-07T09:00:00.000Z');
    await expect(notifyOperators(deps, first, { attempt: 1, final: false })).rejects.toMatchObject({ code: 'notify.throttled' });
    expect(await notifyOperators(deps, first, { attempt: 2, final: false })).toEqual([expect.objectContaining({ status: 'sent' })]);
    expect(await notifyOperators(deps, failed(2, '2026-12-07T15:00:00.000Z'), { attempt: 1, final: false })).toEqual([]);
    expect(await notifyOperators(deps, failed(3, '2026-12-07T16:00:00.000Z', 'con_other'), { attempt: 1, final: false })).toHaveLength(1);
    expect(await notifyOperators(deps, failed(4, '2026-12-08T09:00:00.000Z'), { attempt: 1, final: false })).toHaveLength(1);
    expect(slack.messages.filter((m) => m.recipient === new URL(hook).pathname)).toHaveLength(3);
  });
});
