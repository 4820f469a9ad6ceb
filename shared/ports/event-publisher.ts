import type { DomainEvent } from '../domain/domain-events.ts';

/**
 * Publishes domain events to the bus (EventBridge in AWS, the in-process bus locally). Resolves only when
 * every event was accepted; partial failures are retried inside the adapter and otherwise thrown as a
 * retryable AppError, so the caller's retry re-publishes (consumers dedupe by event id).
 *
 * @example
 *   await publisher.publish([domainEvent('connection.created', tenantId, data)]);
 */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}
