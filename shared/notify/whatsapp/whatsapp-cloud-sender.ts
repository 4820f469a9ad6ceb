import * as z from 'zod/mini';
import { AppError } from '../../domain/app-error.ts';
import type { NotificationSender, SendResult, WhatsAppMessage } from '../../ports/notification-sender.ts';
import { postJson, retryAfterMs } from '../http-post.ts';

export interface WhatsAppCloudSenderOptions {
  /** WHATSAPP_API_URL, default https://graph.facebook.com. */
  apiUrl: string;
  apiVersion?: string;
  phoneNumberId: string;
  token: string;
  timeoutMs?: number;
}

const GraphError = z.object({
  error: z.object({ message: z.optional(z.string()), type: z.optional(z.string()), code: z.optional(z.number()), error_subcode: z.optional(z.number()) }),
});
const Accepted = z.object({ messages: z.array(z.object({ id: z.string() })).check(z.minLength(1)) });

/** Cloud API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) by what they mean to us. */
const THROTTLED = new Set([4, 80007, 130429, 131048, 131056]);
const UNAVAILABLE = new Set([1, 2, 131000, 131016, 133004]);
const AUTH = new Set([0, 3, 10, 190, 200, 131005, 131031]);
const TEMPLATE = new Set([132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069]);
const RECIPIENT = new Set([131026, 131030, 131045, 131047, 131051, 133010]);
const SUPPRESSED = new Set([131050]);

export function translateWhatsAppAnswer(status: number, body: string, headers: Headers): AppError {
  let code: number | undefined;
  let detail = body.slice(0, 200);
  try {
    const parsed = GraphError.parse(JSON.parse(body));
    code = parsed.error.code;
    detail = parsed.error.message ?? detail;
  } catch {
    // Not the Graph error shape (a proxy's page): classified by status alone.
  }
  const message = `WhatsApp ${status}${code === undefined ? '' : ` code ${code}`}: ${detail}`;
  const details = code === undefined ? undefined : { providerCode: code };
  if ((code !== undefined && THROTTLED.has(code)) || status === 429) return new AppError('notify.throttled', message, { retryAfterMs: retryAfterMs(headers), details });
  if ((code !== undefined && UNAVAILABLE.has(code)) || status >= 500) return new AppError('notify.unavailable', message, { details });
  if (code !== undefined && TEMPLATE.has(code)) return new AppError('notify.template_rejected', message, { retryable: false, details });
  if (code !== undefined && SUPPRESSED.has(code)) return new AppError('notify.suppressed', message, { retryable: false, details });
  if (code !== undefined && RECIPIENT.has(code)) return new AppError('notify.recipient_invalid', message, { retryable: false, details });
  if ((code !== undefined && AUTH.has(code)) || status === 401 || status === 403) return new AppError('notify.auth_failed', message, { retryable: false, details });
  return new AppError('notify.rejected', message, { retryable: false, details });
}

/** WhatsApp through the Cloud API: POST /{version}/{phone-number-id}/messages with an approved template. */
export class WhatsAppCloudSender implements NotificationSender<WhatsAppMessage> {
  readonly channel = 'whatsapp' as const;
  readonly #options: WhatsAppCloudSenderOptions;

  constructor(options: WhatsAppCloudSenderOptions) {
    this.#options = options;
  }

  async send(message: WhatsAppMessage): Promise<SendResult> {
    const { apiUrl, apiVersion = 'v21.0', phoneNumberId, token } = this.#options;
    const url = `${apiUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.to.replace(/^\+/, ''),
      type: 'template',
      template: {
        name: message.template.name,
        language: { code: message.template.language },
        components: message.template.bodyParameters.length
          ? [{ type: 'body', parameters: message.template.bodyParameters.map((text) => ({ type: 'text', text })) }]
          : [],
      },
    };
    const answer = await postJson(url, body, { authorization: `Bearer ${token}` }, this.#options.timeoutMs ?? 10_000, 'WhatsApp Cloud API');
    if (answer.status >= 200 && answer.status < 300) {
      try {
        return { providerMessageId: Accepted.parse(JSON.parse(answer.body)).messages[0]!.id };
      } catch (error) {
        throw new AppError('notify.unavailable', 'WhatsApp accepted the message without a message id', { cause: error });
      }
    }
    throw translateWhatsAppAnswer(answer.status, answer.body, answer.headers);
  }
}
