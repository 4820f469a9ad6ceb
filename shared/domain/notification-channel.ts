import * as z from 'zod/mini';
import { EventTypeFilter } from './webhook-endpoint.ts';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/**
 * An operator channel (/v1/notification-channels): where notices about the tenant's own integration go
 * (connection.reauth_required, webhook.endpoint.disabled, …), by email, SMS, Slack or WhatsApp. A Slack
 * webhook URL is a bearer secret: it is stored sealed and shown masked.
 */
export const CHANNEL_KINDS = ['email', 'sms', 'slack', 'whatsapp'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

export const ChannelTarget = z.object({
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  /** Masked in the stored (non-secret) copy: `https://hooks.slack.com/services/T…/…`. */
  webhookUrl: z.optional(z.string()),
});
export type ChannelTarget = z.infer<typeof ChannelTarget>;

export const NotificationChannel = z.object({
  tenantId: TenantId,
  id: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  target: ChannelTarget,
  eventTypes: z.array(EventTypeFilter),
  /** `broken` after the provider said the target is gone (Slack 404/410); a PATCH of the target repairs it. */
  status: z.enum(['active', 'broken']),
  brokenReason: z.nullable(z.string()),
  createdAt: Instant,
  updatedAt: Instant,
  version: z.int(),
});
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/** The target field each kind needs. */
export function targetFieldOf(kind: ChannelKind): keyof ChannelTarget {
  return kind === 'email' ? 'email' : kind === 'slack' ? 'webhookUrl' : 'phone';
}

/** Shows where a Slack hook points without the path parts that authorize posting to it. */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const [first] = parsed.pathname.split('/').filter(Boolean);
    return `${parsed.origin}/${first ? `${first}/` : ''}…`;
  } catch {
    return '…';
  }
}
