/**
 * Sends one rendered notification on one channel (email, SMS, Slack, WhatsApp). Adapters live in
 * shared/notify/<channel>; each translates its provider's answers into AppErrors with `notify.*` codes:
 * `notify.throttled` and `notify.unavailable` are retryable, every other code is permanent for that message
 * (`notify.recipient_invalid`, `notify.suppressed`, `notify.template_rejected`, `notify.target_gone`,
 * `notify.auth_failed`, `notify.rejected`).
 *
 * @example
 *   const { providerMessageId } = await senders.email.send({ channel: 'email', to: 'ana@example.com', subject, text, html });
 */
export type NotificationChannelKind = 'email' | 'sms' | 'slack' | 'whatsapp';

export const NOTIFICATION_CHANNEL_KINDS: readonly NotificationChannelKind[] = ['email', 'sms', 'slack', 'whatsapp'];

export interface EmailAttachment {
  filename: string;
  /** Full MIME type, e.g. `text/calendar; method=REQUEST`. */
  contentType: string;
  content: string;
}

export interface EmailMessage {
  channel: 'email';
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
  /** One-click unsubscribe (RFC 8058) target, sent as List-Unsubscribe. */
  unsubscribeUrl?: string;
}

export interface SmsMessage {
  channel: 'sms';
  /** E.164. */
  to: string;
  text: string;
}

export interface SlackMessage {
  channel: 'slack';
  webhookUrl: string;
  /** Fallback text (notifications, screen readers). */
  text: string;
  /** Block Kit blocks. */
  blocks: Record<string, unknown>[];
}

export interface WhatsAppMessage {
  channel: 'whatsapp';
  /** E.164. */
  to: string;
  /** An approved template: business-initiated messages outside the 24 h window must be templates. */
  template: { name: string; language: string; bodyParameters: string[] };
  /** What the template renders to, kept for the delivery log and the local outbox (not sent). */
  preview: string;
}

export type OutboundMessage = EmailMessage | SmsMessage | SlackMessage | WhatsAppMessage;

export interface SendResult {
  /** The provider's id of the accepted message (SES MessageId, SNS MessageId, wamid…; Slack has none: ours). */
  providerMessageId: string;
}

export interface NotificationSender<M extends OutboundMessage = OutboundMessage> {
  readonly channel: M['channel'];
  /** Resolves when the provider accepted the message; throws an AppError with a `notify.*` code otherwise. */
  send(message: M): Promise<SendResult>;
}

export type NotificationSenders = { [K in NotificationChannelKind]: NotificationSender<Extract<OutboundMessage, { channel: K }>> };
