import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailMessage, SlackMessage, SmsMessage, WhatsAppMessage } from '../../shared/ports/notification-sender.ts';
import { bookingIcs } from '../../shared/notify/ics.ts';
import { SesEmailSender } from '../../shared/notify/ses/ses-email-sender.ts';
import { SlackWebhookSender } from '../../shared/notify/slack/slack-webhook-sender.ts';
import { SnsSmsSender } from '../../shared/notify/sms/sns-sms-sender.ts';
import { WhatsAppCloudSender } from '../../shared/notify/whatsapp/whatsapp-cloud-sender.ts';
import { startLocalSes, startSlackSimulator, startSnsSimulator, startWhatsAppSimulator, type LocalSes, type SlackSimulator, type SnsSimulator, type WhatsAppSimulator } from '../simulators/notify/index.ts';
import { notificationSenderContract } from './notification-sender-contract.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
// A port nothing listens on: connection refused, the adapter's "no answer" path.
const CLOSED = 'http://127.0.0.1:9';

let ses: LocalSes;
let sns: SnsSimulator;
let slack: SlackSimulator;
let whatsapp: WhatsAppSimulator;
let counter = 0;

beforeAll(async () => {
  [ses, sns, slack, whatsapp] = await Promise.all([startLocalSes(), startSnsSimulator(), startSlackSimulator(), startWhatsAppSimulator()]);
});
afterAll(async () => {
  await Promise.all([ses?.stop(), sns?.stop(), slack?.stop(), whatsapp?.stop()]);
});

const sesSender = (endpoint: string) =>
  new SesEmailSender({ client: async () => new SESv2Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 }), from: 'Bookings <bookings@example.com>' });
const snsSender = (endpoint: string) => new SnsSmsSender({ client: async () => new SNSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 }), senderId: 'Bookings' });

describe('email through SES v2 (aws-ses-v2-local)', () => {
  notificationSenderContract<EmailMessage>(() => ({
    name: 'ses',
    sender: () => sesSender(ses.url),
    sendUnreachable: () => sesSender(CLOSED).send({ channel: 'email', to: 'x@example.com', subject: 's', text: 't', html: 'h' }),
    message: (o) => ({
      channel: 'email',
      to: `ana+${o?.recipientSuffix ?? ++counter}@example.com`,
      subject: 'Intro call confirmed — Mon 4 Jan, 10:00',
      text: 'Your intro call is confirmed. Join: https://meet.example/abc',
      html: '<p>Your intro call is <b>confirmed</b>. Join: <a href="https://meet.example/abc">https://meet.example/abc</a></p>',
    }),
    delivered: () => ses.emails(),
    recipientOf: (m) => m.to,
    bodyWords: () => ['confirmed', 'https://meet.example/abc'],
    throttleNext: () => ses.throttleNext(),
    permanent: [
      {
        name: 'header-injection',
        arrange: (m) => ({ ...m, subject: 'Hello\r\nBcc: victim@example.com' }),
        code: 'notify.rejected',
      },
      {
        name: 'message-rejected',
        arrange: (m) => {
          ses.faults.push({ status: 400, headers: { 'x-amzn-errortype': 'MessageRejected', 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Email address is not verified.' }) });
          return m;
        },
        code: 'notify.rejected',
      },
      {
        name: 'sending-paused',
        arrange: (m) => {
          ses.faults.push({ status: 400, headers: { 'x-amzn-errortype': 'SendingPausedException', 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Sending is paused for this account.' }) });
          return m;
        },
        code: 'notify.auth_failed',
      },
    ],
  }));

  it('sends HTML and text with the .ics invitation attached (METHOD:REQUEST), as SES parsed it', async () => {
    const ics = bookingIcs({
      method: 'REQUEST',
      uid: 'bk_123@calendar-integrations',
      sequence: 0,
      start: new Date('2027-01-04T09:00:00Z'),
      end: new Date('2027-01-04T09:30:00Z'),
      stamp: new Date('2026-12-07T10:00:00Z'),
      summary: 'Intro call, Ana; Bo',
      location: 'https://meet.example/abc',
      organizer: { email: 'host@example.com', name: 'Host' },
      attendees: [{ email: 'ana@example.com', name: 'Ana Ömer' }],
    });
    await sesSender(ses.url).send({
      channel: 'email',
      to: 'ics@example.com',
      subject: 'Bestätigt: Intro call',
      text: 'plain body',
      html: '<p>html body</p>',
      attachments: [{ filename: 'invite.ics', contentType: 'text/calendar; method=REQUEST', content: ics }],
      unsubscribeUrl: 'https://api.example/v1/public/unsubscribe?token=abc',
    });
    const email = (await ses.emails()).find((e) => e.recipient === 'ics@example.com')!;
    expect(email.subject).toBe('Bestätigt: Intro call');
    expect(email.body).toContain('plain body');
    expect(email.attachments).toHaveLength(1);
    expect(email.attachments![0]!.contentType).toBe('text/calendar');
    expect(email.attachments![0]!.content).toContain('METHOD:REQUEST');
    expect(email.attachments![0]!.content).toContain('DTSTART:20270104T090000Z');
    expect(email.attachments![0]!.content).toContain('SUMMARY:Intro call\\, Ana\\; Bo');
  });
});

describe('SMS through SNS (simulator on the awsQuery wire format)', () => {
  notificationSenderContract<SmsMessage>(() => ({
    name: 'sns',
    sender: () => snsSender(sns.url),
    sendUnreachable: () => snsSender(CLOSED).send({ channel: 'sms', to: '+14155550100', text: 't' }),
    message: () => ({ channel: 'sms', to: `+4915112345${String(++counter % 1000).padStart(3, '0')}`, text: 'Reminder: intro call at 10:00. https://meet.example/abc' }),
    delivered: async () => sns.messages,
    recipientOf: (m) => m.to,
    bodyWords: () => ['Reminder', 'https://meet.example/abc'],
    throttleNext: () => sns.throttleNext(),
    permanent: [
      { name: 'invalid-number', arrange: (m) => ({ ...m, to: '+12' }), code: 'notify.recipient_invalid' },
      {
        name: 'opted-out',
        arrange: (m) => {
          sns.optedOut.add(m.to);
          return m;
        },
        code: 'notify.suppressed',
      },
    ],
  }));

  it('sends as a transactional SMS with the sender id', async () => {
    await snsSender(sns.url).send({ channel: 'sms', to: '+14155550100', text: 'hi' });
    expect(sns.attributes.at(-1)).toEqual({ 'AWS.SNS.SMS.SMSType': 'Transactional', 'AWS.SNS.SMS.SenderID': 'Bookings' });
  });
});

describe('Slack incoming webhook (simulator)', () => {
  const sender = new SlackWebhookSender({ allowInsecure: true });
  notificationSenderContract<SlackMessage>(() => ({
    name: 'slack',
    sender: () => sender,
    sendUnreachable: () => sender.send({ channel: 'slack', webhookUrl: `${CLOSED}/services/T1/B1/x`, text: 't', blocks: [] }),
    message: () => {
      return {
        channel: 'slack',
        webhookUrl: slack.createHook(),
        text: 'Connection needs reauthorization',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Connection needs reauthorization' } },
          { type: 'section', text: { type: 'mrkdwn', text: '*ana@example.com* (google) revoked access.' } },
        ],
      };
    },
    delivered: async () => slack.messages,
    recipientOf: (m) => new URL(m.webhookUrl).pathname,
    bodyWords: () => ['revoked access', 'ana@example.com'],
    throttleNext: () => slack.throttleNext(3),
    permanent: [
      {
        name: 'removed-hook',
        arrange: (m) => {
          slack.remove(m.webhookUrl);
          return m;
        },
        code: 'notify.target_gone',
      },
      {
        name: 'archived-channel',
        arrange: (m) => {
          slack.archive(m.webhookUrl);
          return m;
        },
        code: 'notify.target_gone',
      },
      { name: 'invalid-blocks', arrange: (m) => ({ ...m, blocks: [{ text: 'no type' }] }), code: 'notify.rejected' },
    ],
  }));

  it('a deployed sender refuses a plain-http webhook URL before sending anything', async () => {
    const hook = slack.createHook();
    const before = slack.messages.length;
    await expect(new SlackWebhookSender().send({ channel: 'slack', webhookUrl: hook, text: 't', blocks: [] })).rejects.toMatchObject({ code: 'notify.rejected', retryable: false });
    expect(slack.messages).toHaveLength(before);
  });

  it('a 429 carries its Retry-After', async () => {
    slack.throttleNext(7);
    await expect(sender.send({ channel: 'slack', webhookUrl: slack.createHook(), text: 't', blocks: [] })).rejects.toMatchObject({ code: 'notify.throttled', retryAfterMs: 7_000 });
  });
});

describe('WhatsApp Cloud API template messages (simulator)', () => {
  const sender = (apiUrl: string, token = whatsapp.token) => new WhatsAppCloudSender({ apiUrl, phoneNumberId: whatsapp.phoneNumberId, token });
  const reminder = (to: string): WhatsAppMessage => ({
    channel: 'whatsapp',
    to,
    template: { name: 'booking_reminder', language: 'en', bodyParameters: ['Intro call', 'Mon 4 Jan 10:00', 'https://meet.example/abc'] },
    preview: 'Reminder: Intro call starts Mon 4 Jan 10:00. Join: https://meet.example/abc',
  });
  notificationSenderContract<WhatsAppMessage>(() => ({
    name: 'whatsapp',
    sender: () => sender(whatsapp.url),
    sendUnreachable: () => sender(CLOSED).send(reminder('+14155550100')),
    message: () => reminder(`+4915112345${String(++counter % 1000).padStart(3, '0')}`),
    delivered: async () => whatsapp.messages,
    recipientOf: (m) => m.to,
    bodyWords: () => ['Reminder: Intro call starts Mon 4 Jan 10:00', 'https://meet.example/abc'],
    throttleNext: () => whatsapp.throttleNext(),
    permanent: [
      { name: 'unknown-template', arrange: (m) => ({ ...m, template: { ...m.template, name: 'not_approved' } }), code: 'notify.template_rejected' },
      { name: 'parameter-count', arrange: (m) => ({ ...m, template: { ...m.template, bodyParameters: ['only one'] } }), code: 'notify.template_rejected' },
      {
        name: 'not-allowed-recipient',
        arrange: (m) => {
          whatsapp.allowedRecipients = new Set(['10000000000']);
          return m;
        },
        code: 'notify.recipient_invalid',
      },
    ],
  }));

  it('a bad token is notify.auth_failed, not retried', async () => {
    whatsapp.allowedRecipients = null;
    await expect(sender(whatsapp.url, 'wrong').send(reminder('+14155550100'))).rejects.toMatchObject({ code: 'notify.auth_failed', retryable: false });
  });
});
