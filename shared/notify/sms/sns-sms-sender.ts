import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AppError } from '../../domain/app-error.ts';
import type { NotificationSender, SendResult, SmsMessage } from '../../ports/notification-sender.ts';

export interface SnsSmsSenderOptions {
  client: () => Promise<Pick<SNSClient, 'send'>>;
  /** SMS_SENDER_ID: alphanumeric sender id where the destination country supports it. */
  senderId?: string;
}

const THROTTLED = new Set(['Throttled', 'ThrottledException', 'Throttling', 'KMSThrottlingException']);
const RECIPIENT = new Set(['InvalidParameter', 'InvalidParameterValue', 'InvalidParameterException']);
const SUPPRESSED = new Set(['OptedOut', 'OptedOutException']);
const AUTH = new Set(['AuthorizationError', 'AuthorizationErrorException', 'InvalidClientTokenId', 'AccessDenied']);

/** Translates an SNS (awsQuery: `<Error><Code>`) error into a `notify.*` code. */
export function translateSnsError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const message = `SNS ${name}: ${e.message ?? ''}`.trim();
  if (THROTTLED.has(name) || status === 429) return new AppError('notify.throttled', message, { cause: error });
  if (SUPPRESSED.has(name)) return new AppError('notify.suppressed', message, { cause: error });
  if (RECIPIENT.has(name)) return new AppError('notify.recipient_invalid', message, { cause: error });
  if (AUTH.has(name) || status === 403) return new AppError('notify.auth_failed', message, { retryable: false, cause: error });
  if (status !== undefined && status >= 400 && status < 500) return new AppError('notify.rejected', message, { retryable: false, cause: error });
  return new AppError('notify.unavailable', message, { cause: error });
}

/** SMS through Amazon SNS Publish to a phone number (transactional). */
export class SnsSmsSender implements NotificationSender<SmsMessage> {
  readonly channel = 'sms' as const;
  readonly #options: SnsSmsSenderOptions;

  constructor(options: SnsSmsSenderOptions) {
    this.#options = options;
  }

  async send(message: SmsMessage): Promise<SendResult> {
    try {
      const client = await this.#options.client();
      const answer = await client.send(
        new PublishCommand({
          PhoneNumber: message.to,
          Message: message.text,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.#options.senderId ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.#options.senderId } } : {}),
          },
        }),
      );
      if (!answer.MessageId) throw new AppError('notify.unavailable', 'SNS accepted the message without a MessageId');
      return { providerMessageId: answer.MessageId };
    } catch (error) {
      throw translateSnsError(error);
    }
  }
}
