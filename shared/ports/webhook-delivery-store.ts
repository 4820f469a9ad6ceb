import type { DeliveryStatus, WebhookDelivery } from '../domain/webhook-delivery.ts';
import type { Page } from './page.ts';

export type WebhookDeliveryPatch = Partial<
  Pick<
    WebhookDelivery,
    'status' | 'failure' | 'round' | 'roundAttempts' | 'attemptCount' | 'attempts' | 'nextAttemptAt' | 'lastStatusCode' | 'lastErrorClass' | 'finalizedRound' | 'updatedAt'
  >
>;

export interface DeliveryListRequest {
  status?: DeliveryStatus | undefined;
  cursor?: string | null | undefined;
  limit: number;
}

/**
 * The delivery log: one item per (domain event, endpoint), with its attempts, kept 90 days after its last
 * change. Deliveries are created at most once (a deterministic id and a conditional put), so an event the
 * bus delivers twice fans out once.
 *
 * @example
 *   const { created, delivery } = await deliveries.create(newDelivery);
 */
export interface WebhookDeliveryStore {
  /** Creates the delivery unless one with its id exists; returns the stored one either way. */
  create(delivery: WebhookDelivery): Promise<{ created: boolean; delivery: WebhookDelivery }>;
  get(tenantId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  /** Conditional on `expectedVersion` (bumped); throws `storage.conflict` otherwise, not_found when gone. */
  update(tenantId: string, endpointId: string, deliveryId: string, expectedVersion: number, patch: WebhookDeliveryPatch): Promise<WebhookDelivery>;
  /** Records that the queue message of `round` was sent (no version bump: it races with the worker harmlessly). */
  markQueued(tenantId: string, endpointId: string, deliveryId: string, round: number): Promise<void>;
  /** Newest first, optionally only one status. */
  list(tenantId: string, endpointId: string, request: DeliveryListRequest): Promise<Page<WebhookDelivery>>;
  /** Oldest first, created at or after `since`, only `status` (one or several). */
  listSince(tenantId: string, endpointId: string, since: Date, status: DeliveryStatus | readonly DeliveryStatus[], request: { cursor?: string | null; limit: number }): Promise<Page<WebhookDelivery>>;
}
