import { randomUUID } from 'node:crypto';
import type { NotificationSender, OutboundMessage, SendResult } from '../ports/notification-sender.ts';

/** One message as the local outbox lists it (GET /local/outbox): what the recipient would have got. */
export interface OutboxMessage {
  channel: OutboundMessage['channel'];
  recipient: string;
  subject: string | null;
  /** The rendered body: email text, SMS text, Slack text and blocks' text, WhatsApp template rendered. */
  body: string;
  providerMessageId: string;
  at: string;
  /** Email attachments (the .ics) with their content. */
  attachments?: { filename: string; contentType: string; content: string }[];
  /** Where it went besides the outbox: the local SES, or nowhere (outbox only). */
  deliveredTo: 'local-ses' | 'outbox';
}

/** Keeps the last messages in memory (the local stack only; never in AWS). */
export class Outbox {
  readonly messages: OutboxMessage[] = [];
  readonly #limit: number;

  constructor(limit = 2_000) {
    this.#limit = limit;
  }

  record(message: OutboundMessage, providerMessageId: string, deliveredTo: OutboxMessage['deliveredTo']): void {
    this.messages.push({ ...describe(message), providerMessageId, at: new Date().toISOString(), deliveredTo });
    if (this.messages.length > this.#limit) this.messages.splice(0, this.messages.length - this.#limit);
  }
}

function blockText(block: Record<string, unknown>): string {
  const text = (block.text as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : '';
}

function describe(message: OutboundMessage): Pick<OutboxMessage, 'channel' | 'recipient' | 'subject' | 'body' | 'attachments'> {
  switch (message.channel) {
    case 'email':
      return {
        channel: 'email',
        recipient: message.to,
        subject: message.subject,
        body: message.text,
        ...(message.attachments?.length ? { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) } : {}),
      };
    case 'sms':
      return { channel: 'sms', recipient: message.to, subject: null, body: message.text };
    case 'slack': {
      const [header, ...rest] = message.blocks;
      return { channel: 'slack', recipient: message.webhookUrl.replace(/^(https?:\/\/[^/]+\/[^/]+\/).*$/, '$1…'), subject: header ? blockText(header) : null, body: rest.map(blockText).filter(Boolean).join('\n') || message.text };
    }
    case 'whatsapp':
      return { channel: 'whatsapp', recipient: message.to, subject: `template ${message.template.name} (${message.template.language})`, body: message.preview };
  }
}

/** Records what `inner` accepted (email through the local SES keeps its SES message id). */
export class RecordingSender<M extends OutboundMessage> implements NotificationSender<M> {
  readonly channel: M['channel'];
  readonly #inner: NotificationSender<M>;
  readonly #outbox: Outbox;

  constructor(inner: NotificationSender<M>, outbox: Outbox) {
    this.channel = inner.channel;
    this.#inner = inner;
    this.#outbox = outbox;
  }

  async send(message: M): Promise<SendResult> {
    const result = await this.#inner.send(message);
    this.#outbox.record(message, result.providerMessageId, 'local-ses');
    return result;
  }
}

/** Sandbox SMS, Slack and WhatsApp: accepted into the outbox only, nothing leaves the machine. */
export class OutboxOnlySender<M extends OutboundMessage> implements NotificationSender<M> {
  readonly channel: M['channel'];
  readonly #outbox: Outbox;

  constructor(channel: M['channel'], outbox: Outbox) {
    this.channel = channel;
    this.#outbox = outbox;
  }

  async send(message: M): Promise<SendResult> {
    const providerMessageId = `outbox_${randomUUID()}`;
    this.#outbox.record(message, providerMessageId, 'outbox');
    return { providerMessageId };
  }
}
