import { Outbox } from '../../shared/notify/outbox.ts';
import type { NotificationChannelKind } from '../../shared/ports/notification-sender.ts';
import { notificationOverrides } from '../../shared/runtime/deps/notifications.ts';
import { startLocalSes, type LocalSes } from '../../test/simulators/notify/local-ses.ts';

/** The running local SES (for tests and the README's "find the email" step). */
export const notifySandbox: { ses?: LocalSes; outbox?: Outbox } = {};

/**
 * Notifications in the local stack: an outbox that records every accepted message of every channel
 * (GET /local/outbox). Email goes through the real SES v2 API to a local SES (the `aws-ses-v2-local`
 * package, reached through AWS_ENDPOINT_URL_SESV2) unless an SES endpoint is configured; SMS, Slack and
 * WhatsApp go to the outbox only unless their provider is configured (AWS_ENDPOINT_URL_SNS, WHATSAPP_TOKEN).
 */
export async function startNotificationSandbox(options: { localSes: boolean }): Promise<{ description: string | null; stop(): Promise<void> }> {
  const outbox = new Outbox();
  notifySandbox.outbox = outbox;
  let ses: LocalSes | undefined;
  const previousEndpoint = process.env.AWS_ENDPOINT_URL_SESV2;
  if (options.localSes && !previousEndpoint) {
    ses = await startLocalSes();
    process.env.AWS_ENDPOINT_URL_SESV2 = ses.url;
    notifySandbox.ses = ses;
  }
  const outboxOnly: NotificationChannelKind[] = ['slack'];
  if (!process.env.AWS_ENDPOINT_URL_SNS && !process.env.AWS_ACCESS_KEY_ID) outboxOnly.push('sms');
  if (!process.env.WHATSAPP_TOKEN) outboxOnly.push('whatsapp');
  notificationOverrides.outbox = outbox;
  notificationOverrides.outboxOnly = outboxOnly;
  return {
    description: ses ? `local SES at ${ses.url} (store: ${ses.url}/store); ${outboxOnly.join(', ')} to the outbox` : null,
    async stop() {
      delete notificationOverrides.outbox;
      delete notificationOverrides.outboxOnly;
      delete notifySandbox.outbox;
      if (ses) {
        delete notifySandbox.ses;
        if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SESV2;
        await ses.stop();
      }
    },
  };
}
