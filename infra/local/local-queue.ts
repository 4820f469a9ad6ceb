import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { JobQueue, QueueMessage } from '../../shared/ports/job-queue.ts';

export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalQueueOptions {
  name: string;
  /** Seconds a received message stays hidden before it is handed out again. */
  visibilityTimeoutSeconds: number;
  /** Receives after which the message moves to the dead-letter queue (SQS redrive policy). */
  maxReceiveCount?: number;
  deadLetterQueue?: LocalQueue<unknown>;
  batchSize?: number;
  /** Retention: messages older than this are dropped, like SQS. */
  retentionSeconds?: number;
  now?: () => number;
}

interface StoredMessage {
  messageId: string;
  body: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receiptHandle: string | null;
  firstReceivedAt: number | null;
}

/**
 * An in-process queue with the SQS semantics our consumers rely on: per-message delay, visibility timeout
 * on receive, `ChangeMessageVisibility` by receipt handle, partial batch failure reports
 * (`batchItemFailures`), approximate receive counts, redrive to a dead-letter queue after
 * `maxReceiveCount` receives, and retention. A consumer is invoked with an SQS-shaped event, like Lambda's
 * event source mapping does.
 */
export class LocalQueue<T> implements JobQueue<T> {
  readonly name: string;
  private readonly options: LocalQueueOptions;
  private readonly messages = new Map<string, StoredMessage>();
  private consumer: QueueConsumer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private polling = false;
  private readonly now: () => number;
  private readonly idleWaiters: (() => void)[] = [];
  /** Messages handed to the consumer (for tests and the local debug endpoint). */
  deliveredCount = 0;

  constructor(options: LocalQueueOptions) {
    this.name = options.name;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async send(messages: readonly QueueMessage<T>[]): Promise<void> {
    for (const message of messages) this.sendRaw(JSON.stringify(message.body), message.delaySeconds ?? 0);
    this.kick();
  }

  /** Enqueues an already serialized body (the bus and redrive use it). */
  sendRaw(body: string, delaySeconds = 0): string {
    const messageId = randomUUID();
    const now = this.now();
    this.messages.set(messageId, { messageId, body, sentAt: now, visibleAt: now + Math.min(900, delaySeconds) * 1000, receiveCount: 0, receiptHandle: null, firstReceivedAt: null });
    this.kick();
    return messageId;
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) {
        message.visibleAt = this.now() + Math.max(0, Math.min(43_200, seconds)) * 1000;
        this.kick();
        return;
      }
    }
    throw new Error(`ReceiptHandleIsInvalid: no in-flight message of ${this.name} has that receipt handle`);
  }

  /** Messages not yet deleted (visible, delayed or in flight). */
  get depth(): number {
    return this.messages.size;
  }

  peekBodies(): string[] {
    return [...this.messages.values()].map((m) => m.body);
  }

  /** Removes and returns every message (used to inspect or redrive a dead-letter queue). */
  drain(): string[] {
    const bodies = this.peekBodies();
    this.messages.clear();
    return bodies;
  }

  /** Starts delivering to `consumer`, polling like an event source mapping. */
  start(consumer: QueueConsumer, pollIntervalMs = 25): void {
    this.consumer = consumer;
    this.running = true;
    const loop = (): void => {
      if (!this.running) return;
      void this.poll().finally(() => {
        if (this.running) this.timer = setTimeout(loop, pollIntervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    while (this.polling) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Resolves once nothing is visible or in flight (delayed messages due later than `horizonMs` are ignored). */
  async waitUntilIdle(timeoutMs = 10_000, horizonMs = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const now = this.now();
      const busy = [...this.messages.values()].some((m) => m.visibleAt <= now + horizonMs || m.receiptHandle !== null);
      if (!busy && !this.polling) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`queue ${this.name} did not become idle in ${timeoutMs} ms`);
  }

  private kick(): void {
    if (this.running && !this.polling) queueMicrotask(() => void this.poll());
  }

  private receiveBatch(): StoredMessage[] {
    const now = this.now();
    const retention = (this.options.retentionSeconds ?? 345_600) * 1000;
    const batch: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (now - message.sentAt > retention) {
        this.messages.delete(message.messageId);
        continue;
      }
      if (message.visibleAt > now) continue;
      const max = this.options.maxReceiveCount;
      if (max !== undefined && message.receiveCount >= max) {
        // SQS moves a message to the DLQ when a receive would exceed maxReceiveCount.
        this.messages.delete(message.messageId);
        this.options.deadLetterQueue?.sendRaw(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + this.options.visibilityTimeoutSeconds * 1000;
      batch.push(message);
      if (batch.length >= (this.options.batchSize ?? 10)) break;
    }
    return batch;
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.consumer) return;
    this.polling = true;
    try {
      for (let batch = this.receiveBatch(); batch.length > 0; batch = this.receiveBatch()) {
        const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
        this.deliveredCount += batch.length;
        let failed: Set<string>;
        try {
          const response = await this.consumer(event);
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch {
          failed = new Set(batch.map((m) => m.messageId)); // a thrown handler fails the whole batch
        }
        for (const message of batch) {
          if (failed.has(message.messageId)) message.receiptHandle = null; // visible again at visibleAt
          else this.messages.delete(message.messageId);
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private toRecord(message: StoredMessage): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle!,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.name}`,
      awsRegion: 'local',
    };
  }
}
