import { createHash } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import type { NotificationSender, SendResult, SlackMessage } from '../../ports/notification-sender.ts';
import { postJson, retryAfterMs } from '../http-post.ts';

export interface SlackWebhookSenderOptions {
  timeoutMs?: number;
  /** The local stack posts to a loopback simulator over http; deployed stacks only ever send to https. */
  allowInsecure?: boolean;
}

/**
 * Slack incoming webhooks answer plain text: `ok`, or an error word with 400 (invalid_payload,
 * invalid_blocks, no_text), 403 (invalid_token, action_prohibited), 404 (no_service, channel_not_found),
 * 410 (channel_is_archived), 429 with Retry-After, 5xx.
 */
export function translateSlackAnswer(status: number, body: string, headers: Headers): AppError {
  const word = body.trim().slice(0, 100) || `HTTP ${status}`;
  const message = `Slack webhook ${status}: ${word}`;
  if (status === 429) return new AppError('notify.throttled', message, { retryAfterMs: retryAfterMs(headers) });
  if (status >= 500) return new AppError('notify.unavailable', message);
  // The webhook (or its channel) is gone: the channel must be marked broken, retrying cannot help.
  if (status === 404 || status === 410 || word === 'no_service' || word === 'channel_not_found' || word === 'channel_is_archived') {
    return new AppError('notify.target_gone', message, { retryable: false });
  }
  if (status === 401 || status === 403) return new AppError('notify.auth_failed', message, { retryable: false });
  return new AppError('notify.rejected', message, { retryable: false });
}

/** Slack through an incoming-webhook URL with a Block Kit message. */
export class SlackWebhookSender implements NotificationSender<SlackMessage> {
  readonly channel = 'slack' as const;
  readonly #options: SlackWebhookSenderOptions;

  constructor(options: SlackWebhookSenderOptions = {}) {
    this.#options = options;
  }

  async send(message: SlackMessage): Promise<SendResult> {
    const url = new URL(message.webhookUrl);
    if (url.protocol !== 'https:' && !(this.#options.allowInsecure && url.protocol === 'http:')) {
      throw new AppError('notify.rejected', 'Slack webhook URLs must be https', { retryable: false });
    }
    const body = { text: message.text, blocks: message.blocks };
    const answer = await postJson(url.toString(), body, {}, this.#options.timeoutMs ?? 10_000, 'Slack webhook');
    if (answer.status === 200) {
      // Incoming webhooks return no message id; ours is the hash of what was accepted, stable for the log.
      return { providerMessageId: `slack_${createHash('sha256').update(JSON.stringify(body)).update(String(Date.now())).digest('hex').slice(0, 24)}` };
    }
    throw translateSlackAnswer(answer.status, answer.body, answer.headers);
  }
}
