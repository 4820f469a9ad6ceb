import type { Resolver } from '../../net/outbound-url.ts';
import type { Outbox } from '../../notify/outbox.ts';
import type { NotificationChannelKind, NotificationSenders } from '../../ports/notification-sender.ts';
import { DynamoNotificationLog } from '../../storage/dynamo-notification-log.ts';
import { systemResolver, webhookUrlPolicy } from '../../net/webhook-url-policy.ts';
import { DynamoNotificationChannelStore } from '../../storage/dynamo-notification-channel-store.ts';
import type { ChannelAdminDeps } from '../../use-cases/notifications/manage-channels.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { credentialCipher, dynamoDocument } from './storage.ts';

/**
 * Dependencies of the notification functions (api-notifications, notification-sender). Tests plug in a
 * resolver for the Slack URL check through `notificationOverrides`; nothing is set in Lambda.
 */
export interface NotificationOverrides {
  resolver?: Resolver;
  /** The local stack's outbox: every accepted message is recorded there (GET /local/outbox). */
  outbox?: Outbox;
  /** Channels that go to the outbox only (sandbox SMS, Slack, WhatsApp: nothing leaves the machine). */
  outboxOnly?: readonly NotificationChannelKind[];
  /** Tests point single channels at a simulator. */
  senders?: Partial<NotificationSenders>;
}

export const notificationOverrides: NotificationOverrides = {};

const resolver: Resolver = (hostname) => (notificationOverrides.resolver ?? systemResolver)(hostname);

export const notificationChannelStore = lazy(() => new DynamoNotificationChannelStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

/** Slack URLs follow the webhook URL policy (https to public addresses; loopback http in the local stack with ALLOW_INSECURE_WEBHOOK_URLS). */
export function notificationUrlPolicy() {
  const c = config();
  return webhookUrlPolicy({ isLocal: c.isLocal, allowInsecure: c.ALLOW_INSECURE_WEBHOOK_URLS });
}

export function channelAdminDeps(): ChannelAdminDeps {
  return { channels: notificationChannelStore(), clock: clock(), urlPolicy: notificationUrlPolicy(), resolver };
}

export const notificationLog = lazy(() => new DynamoNotificationLog({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export function notificationLogDeps() {
  const log = notificationLog();
  return { log, optOuts: log, clock: clock() };
}
