import type { WebhookEndpoint } from '../domain/webhook-endpoint.ts';
import type { Page, PageRequest } from './page.ts';

export type WebhookEndpointPatch = Partial<Pick<WebhookEndpoint, 'url' | 'eventTypes' | 'description' | 'enabled' | 'disabledReason' | 'failingSince' | 'updatedAt'>>;

/** An endpoint with the secrets a delivery signs with right now (newest first). */
export interface EndpointWithSecrets {
  endpoint: WebhookEndpoint;
  secrets: string[];
}

/**
 * Webhook endpoints (tenant-scoped) and their signing secrets, which the adapter keeps sealed and opens only
 * for `getWithSecrets`. A rotation keeps the previous secret valid for an overlap, during which deliveries
 * carry one signature per valid secret.
 *
 * @example
 *   const found = await endpoints.getWithSecrets(tenantId, endpointId, clock.now());
 */
export interface WebhookEndpointStore {
  create(endpoint: WebhookEndpoint, secret: string): Promise<WebhookEndpoint>;
  get(tenantId: string, endpointId: string): Promise<WebhookEndpoint | null>;
  getWithSecrets(tenantId: string, endpointId: string, now: Date): Promise<EndpointWithSecrets | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpoint>>;
  /** Every endpoint of a tenant (fan-out); tenants hold a bounded number. */
  listAll(tenantId: string): Promise<WebhookEndpoint[]>;
  /** Conditional on `expectedVersion`; throws `storage.conflict` when someone else wrote first, not_found when gone. */
  update(tenantId: string, endpointId: string, expectedVersion: number, patch: WebhookEndpointPatch): Promise<WebhookEndpoint>;
  delete(tenantId: string, endpointId: string): Promise<boolean>;
  /**
   * Makes `secret` the signing secret; the previous ones stay valid until `previousValidUntil` (expired ones
   * are dropped). Throws not_found when the endpoint is gone.
   */
  rotateSecret(tenantId: string, endpointId: string, secret: string, now: Date, previousValidUntil: Date): Promise<void>;
  /** Starts a failing streak at `since` unless one is running. No version bump (it is not a user edit). */
  markFailing(tenantId: string, endpointId: string, since: string): Promise<void>;
  /** Ends the failing streak (a delivery succeeded). */
  clearFailing(tenantId: string, endpointId: string): Promise<void>;
  /** Disables an enabled endpoint; returns it, or null when it was already disabled or is gone. */
  disable(tenantId: string, endpointId: string, reason: 'gone' | 'failing', now: Date): Promise<WebhookEndpoint | null>;
}
