import { randomUUID } from 'node:crypto';
import { eventTypeMatches } from '../../shared/domain/webhook-endpoint.ts';
import { DOMAIN_EVENT_SOURCE, parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import type { EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { QueueName } from '../../shared/ports/job-queue.ts';
import type { EventRoute } from '../topology.ts';
import type { LocalQueue } from './local-queue.ts';

/** The EventBridge event an SQS target receives as its message body. */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: DomainEvent;
}

export function toEventBridgeEnvelope(event: DomainEvent): EventBridgeEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': event.type,
    source: DOMAIN_EVENT_SOURCE,
    account: '000000000000',
    time: event.time,
    region: 'local',
    resources: [],
    detail: event,
  };
}

/**
 * The in-process EventBridge: validates each domain event against its schema (as the JSON Schemas under
 * events/ promise) and delivers it to every queue whose route matches, wrapped exactly like an EventBridge
 * rule with an SQS target wraps it. Keeps a log for tests and the local debug endpoint.
 */
export class LocalEventBus implements EventPublisher {
  readonly published: DomainEvent[] = [];
  private readonly listeners = new Set<(event: DomainEvent) => void>();

  private readonly routes: readonly EventRoute[];
  private readonly queues: Partial<Record<QueueName, LocalQueue<unknown>>>;

  constructor(routes: readonly EventRoute[], queues: Partial<Record<QueueName, LocalQueue<unknown>>>) {
    this.routes = routes;
    this.queues = queues;
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      const valid = parseDomainEvent(event);
      this.published.push(valid);
      if (this.published.length > 5_000) this.published.splice(0, 1_000);
      for (const route of this.routes) {
        if (!eventTypeMatches(route.eventTypes, valid.type)) continue;
        this.queues[route.queue]?.sendRaw(JSON.stringify(toEventBridgeEnvelope(valid)));
      }
      for (const listener of this.listeners) listener(valid);
    }
  }

  /** Calls `listener` for every event published from now on; returns an unsubscribe function. */
  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
