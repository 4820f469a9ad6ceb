import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { AppError } from '../domain/app-error.ts';
import { DOMAIN_EVENT_SOURCE, type DomainEvent } from '../domain/domain-events.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import { backoffDelayMs, sleep } from './backoff.ts';

/** PutEvents accepts at most 10 entries and 256 KB per request. */
export const MAX_ENTRIES_PER_PUT = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 4;

export function toEventBridgeEntry(event: DomainEvent, busName: string): PutEventsRequestEntry {
  return { EventBusName: busName, Source: DOMAIN_EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), Time: new Date(event.time) };
}

function entrySize(entry: PutEventsRequestEntry): number {
  // EventBridge counts Source, DetailType, Detail, Resources and Time (14 bytes).
  return Buffer.byteLength(entry.Source ?? '') + Buffer.byteLength(entry.DetailType ?? '') + Buffer.byteLength(entry.Detail ?? '') + 14;
}

/** Splits entries into requests of ≤ 10 entries and ≤ 256 KB. */
export function batchEntries(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > MAX_REQUEST_BYTES) throw new AppError('input.invalid', `Domain event ${entry.DetailType} is larger than 256 KB`, { retryable: false });
    if (current.length === MAX_ENTRIES_PER_PUT || bytes + size > MAX_REQUEST_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * Publishes domain events to EventBridge. A partially failed PutEvents is retried for the failed entries only
 * (with backoff); whatever still fails becomes a retryable AppError so the caller's own retry re-publishes.
 */
export class EventBridgeEventPublisher implements EventPublisher {
  private readonly clientSource: EventBridgeClient | (() => Promise<EventBridgeClient>);
  private client: Promise<EventBridgeClient> | null = null;
  private readonly busName: string;
  private readonly pause: (ms: number) => Promise<void>;

  /** `client` may be a factory: the EventBridge SDK is then loaded on the first publish, not at cold start. */
  constructor(options: { client: EventBridgeClient | (() => Promise<EventBridgeClient>); busName: string; sleep?: (ms: number) => Promise<void> }) {
    this.clientSource = options.client;
    this.busName = options.busName;
    this.pause = options.sleep ?? sleep;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const batch of batchEntries(events.map((event) => toEventBridgeEntry(event, this.busName)))) {
      await this.putWithRetry(batch);
    }
  }

  private async putWithRetry(entries: PutEventsRequestEntry[]): Promise<void> {
    const source = this.clientSource;
    this.client ??= typeof source === 'function' ? source() : Promise.resolve(source);
    const [client, { PutEventsCommand }] = await Promise.all([this.client, import('@aws-sdk/client-eventbridge')]);
    let pending = entries;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.pause(backoffDelayMs(attempt, { baseMs: 100, capMs: 2_000 }));
      let response;
      try {
        response = await client.send(new PutEventsCommand({ Entries: pending }));
      } catch (error) {
        if (attempt === MAX_ATTEMPTS - 1) throw new AppError('internal.unexpected', 'EventBridge PutEvents failed', { retryable: true, cause: error });
        continue;
      }
      if (!response.FailedEntryCount) return;
      // Result entries line up with request entries; failed ones carry an ErrorCode.
      pending = pending.filter((_entry, index) => response.Entries?.[index]?.ErrorCode);
      if (pending.length === 0) return;
    }
    throw new AppError('internal.unexpected', `EventBridge rejected ${pending.length} domain event(s) after ${MAX_ATTEMPTS} attempts`, { retryable: true });
  }
}
