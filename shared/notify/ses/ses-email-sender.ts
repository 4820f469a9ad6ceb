import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { AppError } from '../../domain/app-error.ts';
import type { EmailMessage, NotificationSender, SendResult } from '../../ports/notification-sender.ts';
import { buildMimeMessage } from './mime-message.ts';

export interface SesEmailSenderOptions {
  client: () => Promise<Pick<SESv2Client, 'send'>>;
  /** Verified SES identity (EMAIL_FROM), e.g. `Bookings <bookings@example.com>`. */
  from: string;
  configurationSetName?: string;
}

const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'Throttling', 'ThrottlingException']);
const SUPPRESSED = new Set(['AccountSuppressedException']);
const AUTH = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException']);

/** Translates an SES v2 error (REST-JSON: `x-amzn-errortype` → error name) into a `notify.*` code. */
export function translateSesError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const message = `SES ${name}: ${e.message ?? ''}`.trim();
  if (THROTTLED.has(name) || status === 429) return new AppError('notify.throttled', message, { cause: error });
  if (SUPPRESSED.has(name)) return new AppError('notify.suppressed', message, { cause: error });
  if (AUTH.has(name) || status === 403) return new AppError('notify.auth_failed', message, { retryable: false, cause: error });
  if (status !== undefined && status >= 500) return new AppError('notify.unavailable', message, { cause: error });
  if (status !== undefined && status >= 400) return new AppError('notify.rejected', message, { retryable: false, cause: error });
  // No HTTP answer at all (connection refused, reset, timeout): the next try may get through.
  return new AppError('notify.unavailable', message, { cause: error });
}

/** Email through Amazon SES v2 SendEmail with a raw MIME message (HTML + text, .ics attachment). */
export class SesEmailSender implements NotificationSender<EmailMessage> {
  readonly channel = 'email' as const;
  readonly #options: SesEmailSenderOptions;

  constructor(options: SesEmailSenderOptions) {
    this.#options = options;
  }

  async send(message: EmailMessage): Promise<SendResult> {
    const raw = buildMimeMessage(this.#options.from, message);
    try {
      const client = await this.#options.client();
      const answer = await client.send(
        new SendEmailCommand({
          FromEmailAddress: this.#options.from,
          Destination: { ToAddresses: [message.to] },
          Content: { Raw: { Data: Buffer.from(raw, 'utf8') } },
          ...(this.#options.configurationSetName ? { ConfigurationSetName: this.#options.configurationSetName } : {}),
        }),
      );
      if (!answer.MessageId) throw new AppError('notify.unavailable', 'SES accepted the message without a MessageId');
      return { providerMessageId: answer.MessageId };
    } catch (error) {
      throw translateSesError(error);
    }
  }
}
