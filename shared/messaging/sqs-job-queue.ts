import type { SQSClient } from '@aws-sdk/client-sqs';
import { AppError } from '../domain/app-error.ts';
import type { JobQueue, QueueMessage } from '../ports/job-queue.ts';
import { backoffDelayMs, sleep } from './backoff.ts';

const MAX_BATCH = 10;
const MAX_BATCH_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 4;
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_SECONDS = 43_200;

/** A JobQueue on SQS: SendMessageBatch (≤ 10, ≤ 256 KB) with retry of the failed entries only. */
export class SqsJobQueue<T> implements JobQueue<T> {
  private readonly clientSource: SQSClient | (() => Promise<SQSClient>);
  private client: Promise<SQSClient> | null = null;
  private readonly queueUrl: string;
  private readonly pause: (ms: number) => Promise<void>;

  /** `client` may be a factory: the SQS SDK is then loaded on first use, not at cold start. */
  constructor(options: { client: SQSClient | (() => Promise<SQSClient>); queueUrl: string; sleep?: (ms: number) => Promise<void> }) {
    this.clientSource = options.client;
    this.queueUrl = options.queueUrl;
    this.pause = options.sleep ?? sleep;
  }

  private async sdk() {
    const source = this.clientSource;
    this.client ??= typeof source === 'function' ? source() : Promise.resolve(source);
    const [client, commands] = await Promise.all([this.client, import('@aws-sdk/client-sqs')]);
    return { client, commands };
  }

  async send(messages: readonly QueueMessage<T>[]): Promise<void> {
    const entries = messages.map((message, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(message.body),
      DelaySeconds: message.delaySeconds === undefined ? undefined : Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(message.delaySeconds))),
    }));
    let batch: typeof entries = [];
    let bytes = 0;
    for (const entry of entries) {
      const size = Buffer.byteLength(entry.MessageBody);
      if (batch.length === MAX_BATCH || bytes + size > MAX_BATCH_BYTES) {
        await this.sendBatch(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(entry);
      bytes += size;
    }
    if (batch.length) await this.sendBatch(batch);
  }

  private async sendBatch(entries: { Id: string; MessageBody: string; DelaySeconds: number | undefined }[]): Promise<void> {
    const { client, commands } = await this.sdk();
    let pending = entries;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.pause(backoffDelayMs(attempt, { baseMs: 100, capMs: 2_000 }));
      try {
        const response = await client.send(new commands.SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
        const failed = new Set((response.Failed ?? []).filter((f) => !f.SenderFault).map((f) => f.Id));
        const senderFault = (response.Failed ?? []).find((f) => f.SenderFault);
        if (senderFault) throw new AppError('input.invalid', `SQS rejected a message: ${senderFault.Code}`, { retryable: false });
        pending = pending.filter((entry) => failed.has(entry.Id));
        if (pending.length === 0) return;
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (attempt === MAX_ATTEMPTS - 1) throw new AppError('internal.unexpected', 'SQS SendMessageBatch failed', { retryable: true, cause: error });
      }
    }
    throw new AppError('internal.unexpected', `SQS did not accept ${pending.length} message(s)`, { retryable: true });
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    const { client, commands } = await this.sdk();
    await client.send(
      new commands.ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(seconds))),
      }),
    );
  }
}
