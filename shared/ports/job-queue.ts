/** A message to put on a queue; `delaySeconds` up to 900 (the SQS limit). */
export interface QueueMessage<T> {
  body: T;
  delaySeconds?: number;
}

/**
 * A work queue with SQS semantics (at-least-once, delay, visibility timeout, dead-letter queue).
 *
 * @example
 *   await syncQueue.send([{ body: { tenantId, calendarId, reason: 'push', requestedAt } }]);
 */
export interface JobQueue<T> {
  send(messages: readonly QueueMessage<T>[]): Promise<void>;
  /** Keeps a received message hidden for `seconds` more (≤ 43,200): how long retries wait beyond 15 min. */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

/** Names of the queues; the same names in the CDK stack and the local stack. */
export type QueueName = 'sync' | 'webhook-fanout' | 'webhook-delivery' | 'booking-lifecycle'
  | 'booking-schedules' | 'notifications';
