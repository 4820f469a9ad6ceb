import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/**
 * One notification in the delivery log (GET /v1/notifications): a message to one recipient on one channel
 * because of one domain event (or reminder). `queued` until its provider accepted it (`sent`) or refused it
 * for good (`failed`); `suppressed` when the recipient had opted out and nothing was sent.
 */
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed', 'suppressed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export const NOTIFICATION_CHANNELS = ['email', 'sms', 'slack', 'whatsapp'] as const;
export type NotificationChannelName = (typeof NOTIFICATION_CHANNELS)[number];
export const RECIPIENT_KINDS = ['invitee', 'host', 'operator'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export const NotificationRecord = z.object({
  tenantId: TenantId,
  id: z.string(),
  status: z.enum(NOTIFICATION_STATUSES),
  channel: z.enum(NOTIFICATION_CHANNELS),
  /** The address as the log shows it: email, E.164 phone, or the Slack hook masked. */
  recipient: z.string(),
  recipientKind: z.enum(RECIPIENT_KINDS),
  /** The operator channel it went to, for operator notices. */
  channelId: z.nullable(z.string()),
  bookingId: z.nullable(z.string()),
  triggerEventType: z.string(),
  triggerEventId: z.string(),
  /** What the template was (booking.created, reminder, operator notice…), for people reading the log. */
  template: z.string(),
  subject: z.nullable(z.string()),
  providerMessageId: z.nullable(z.string()),
  /** Provider attempts made so far. */
  attempts: z.int(),
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
  createdAt: Instant,
  updatedAt: Instant,
});
export type NotificationRecord = z.infer<typeof NotificationRecord>;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The notification's id, deterministic in (trigger event, channel, recipient): a redelivered event finds
 * the record it made the first time, which is what makes sending idempotent. The first ten characters are
 * the trigger's time (as in a ULID) so the log lists in time order; the rest is a hash.
 */
export function notificationIdFor(trigger: { eventId: string; time: string }, channel: NotificationChannelName, recipient: string): string {
  let rest = Math.max(0, Date.parse(trigger.time) || 0);
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  const digest = createHash('sha256').update(`${trigger.eventId}\u001f${channel}\u001f${recipient.toLowerCase()}`).digest();
  let hash = '';
  for (let i = 0; i < 16; i++) hash += CROCKFORD[digest[i]! & 31];
  return `ntf_${time}${hash}`;
}
