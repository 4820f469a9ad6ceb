import type { OutboundPolicy } from '../../net/outbound-url.ts';

/** Webhook behaviour from configuration (shared/runtime/config.ts), compressible in tests. */
export interface WebhookSettings {
  /** Waits after failed attempts 1, 2, …; one more attempt than entries. */
  retryScheduleMs: number[];
  /** One attempt's whole exchange. */
  timeoutMs: number;
  /** An endpoint failing every attempt for this long is disabled. */
  disableAfterMs: number;
  urlPolicy: OutboundPolicy;
  /** How long the previous secret stays valid after a rotation. */
  secretOverlapMs: number;
}

export const SECRET_OVERLAP_MS = 24 * 3_600_000;
/** Endpoints per tenant: every domain event reads them all. */
export const MAX_ENDPOINTS_PER_TENANT = 50;
