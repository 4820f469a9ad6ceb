import { integrationLogStore } from './integration-log.ts';
import { AppError } from '../../domain/app-error.ts';
import { OutboxOnlySender, RecordingSender } from '../../notify/outbox.ts';
import { SesEmailSender } from '../../notify/ses/ses-email-sender.ts';
import { SlackWebhookSender } from '../../notify/slack/slack-webhook-sender.ts';
import { SnsSmsSender } from '../../notify/sms/sns-sms-sender.ts';
import { WhatsAppCloudSender } from '../../notify/whatsapp/whatsapp-cloud-sender.ts';
import type { NotificationChannelKind, NotificationSender, NotificationSenders, WhatsAppMessage } from '../../ports/notification-sender.ts';
import type { NotificationEventDeps } from '../../use-cases/notifications/handle-notification-event.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { scheduleStore } from './availability.ts';
import { bookingTypeStore } from './bookings.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { eventPublisher } from './messaging.ts';
import { notificationChannelStore, notificationLog, notificationOverrides } from './notifications.ts';
import { idempotencyStore } from './storage.ts';

/**
 * Dependencies of the notification consumer (notification-sender): the senders and what the messages are
 * made from. Apart from notifications.ts so the channels API does not load the senders.
 */
/** The local stack has no AWS credentials; its local SES and simulators accept any. */
function localCredentials() {
  return config().isLocal && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}

/** WhatsApp without WHATSAPP_TOKEN / WHATSAPP_PHONE_NUMBER_ID: every message fails for good, saying why. */
const unconfiguredWhatsApp: NotificationSender<WhatsAppMessage> = {
  channel: 'whatsapp',
  send: async () => {
    throw new AppError('notify.auth_failed', 'WhatsApp is not configured (WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID)', { retryable: false });
  },
};

/** The real senders from config: SES v2 (AWS_ENDPOINT_URL_SESV2 points it at a local SES), SNS, Slack hooks, WhatsApp Cloud API. */
const providerSenders = lazy((): NotificationSenders => {
  const c = config();
  return {
    email: new SesEmailSender({
      client: async () => new (await import('@aws-sdk/client-sesv2')).SESv2Client({ region: c.AWS_REGION, ...localCredentials() }),
      from: c.EMAIL_FROM,
      ...(c.SES_CONFIGURATION_SET ? { configurationSetName: c.SES_CONFIGURATION_SET } : {}),
    }),
    sms: new SnsSmsSender({ client: async () => new (await import('@aws-sdk/client-sns')).SNSClient({ region: c.AWS_REGION, ...localCredentials() }), ...(c.SMS_SENDER_ID ? { senderId: c.SMS_SENDER_ID } : {}) }),
    slack: new SlackWebhookSender({ allowInsecure: c.isLocal && c.ALLOW_INSECURE_WEBHOOK_URLS }),
    whatsapp:
      c.WHATSAPP_TOKEN && c.WHATSAPP_PHONE_NUMBER_ID
        ? new WhatsAppCloudSender({ apiUrl: c.WHATSAPP_API_URL, phoneNumberId: c.WHATSAPP_PHONE_NUMBER_ID, token: c.WHATSAPP_TOKEN })
        : unconfiguredWhatsApp,
  };
});

/** The senders in use: the providers', each recorded in the local outbox (or replaced by it) when the local stack set one. */
export function notificationSenders(): NotificationSenders {
  const base = { ...providerSenders(), ...notificationOverrides.senders } as NotificationSenders;
  const outbox = notificationOverrides.outbox;
  if (!outbox) return base;
  const only = new Set(notificationOverrides.outboxOnly ?? []);
  const wrap = <K extends NotificationChannelKind>(channel: K): NotificationSenders[K] =>
    (only.has(channel) && !notificationOverrides.senders?.[channel] ? new OutboxOnlySender(channel, outbox) : new RecordingSender(base[channel] as never, outbox)) as unknown as NotificationSenders[K];
  return { email: wrap('email'), sms: wrap('sms'), slack: wrap('slack'), whatsapp: wrap('whatsapp') };
}

/** The address part of EMAIL_FROM (`Bookings <b@example.com>` → b@example.com). */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

export function notificationEventDeps(): NotificationEventDeps {
  const c = config();
  const log = notificationLog();
  return {
    log,
    optOuts: log,
    senders: notificationSenders(),
    publisher: eventPublisher(),
    clock: clock(),
    publicBaseUrl: c.PUBLIC_BASE_URL,
    logger,
    integrationLog: integrationLogStore(),
    channels: notificationChannelStore(),
    idempotency: idempotencyStore(),
    bookingTypes: bookingTypeStore(),
    schedules: scheduleStore(),
    organizerEmail: addressOf(c.EMAIL_FROM),
    defaultLocale: c.NOTIFICATION_DEFAULT_LOCALE,
  };
}
