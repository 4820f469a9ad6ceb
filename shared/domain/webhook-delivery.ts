import * as z from 'zod/mini';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/**
 * One message to one endpoint, for its whole life: every attempt (scheduled retries and manual
 * redeliveries) carries the same `webhook-id` (`messageId`) and the same body. A manual redelivery starts a
 * new round with the full retry schedule; attempts of every round stay in the log.
 */
export const DeliveryStatus = z.enum(['pending', 'succeeded', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** Why an attempt failed, coarse enough to alert on. */
export const AttemptErrorClass = z.enum([
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns',
  'ssrf_blocked',
  'tls',
  'redirect',
  'http_4xx',
  'http_5xx',
  'http_other',
  'network',
]);
export type AttemptErrorClass = z.infer<typeof AttemptErrorClass>;

/**
 * Why a delivery ended without success: every attempt failed (`exhausted`); the receiver answered 410
 * (`gone`) or its endpoint had failed for too long (`failing`), which disables the endpoint; or the endpoint
 * was already disabled or deleted when the delivery came up.
 */
export const DeliveryFailure = z.enum(['exhausted', 'gone', 'failing', 'endpoint_disabled', 'endpoint_deleted']);
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

export const DeliveryAttempt = z.object({
  /** 1, 2, … across all rounds. */
  attempt: z.int(),
  round: z.int(),
  /** Attempt number within its round (the retry schedule position). */
  roundAttempt: z.int(),
  at: Instant,
  /** The `webhook-timestamp` this attempt was signed with. */
  timestamp: z.int(),
  statusCode: z.nullable(z.int()),
  latencyMs: z.number(),
  errorClass: z.nullable(AttemptErrorClass),
  /** Short, ours (never a secret): what went wrong when there was no response. */
  error: z.nullable(z.string()),
  /** The first 1 KB of the response body. */
  responseBody: z.nullable(z.string()),
  retryAfterMs: z.nullable(z.number()),
  /** When the next attempt was scheduled, if one was. */
  nextAttemptAt: z.nullable(Instant),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const WebhookDelivery = z.object({
  tenantId: TenantId,
  endpointId: z.string(),
  id: z.string(),
  /** The `webhook-id`: the domain event id (consumers deduplicate on it). */
  messageId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  eventTime: Instant,
  /** The exact body every attempt sends: `{type, timestamp, data}`. */
  payload: z.string(),
  status: DeliveryStatus,
  failure: z.nullable(DeliveryFailure),
  /** Starts at 1; each manual redelivery starts the next round (and makes older queue messages stale). */
  round: z.int(),
  roundAttempts: z.int(),
  attemptCount: z.int(),
  attempts: z.array(DeliveryAttempt),
  nextAttemptAt: z.nullable(Instant),
  lastStatusCode: z.nullable(z.int()),
  lastErrorClass: z.nullable(AttemptErrorClass),
  /** The round whose queue message was sent (a crashed fan-out re-sends when it is behind `round`). */
  queuedRound: z.int(),
  /**
   * The round whose ending was carried out: an exhaustion dead-lettered and announced, an endpoint disabled
   * and announced. Redone (idempotently) when a crash interrupted it, never again after.
   */
  finalizedRound: z.int(),
  createdAt: Instant,
  updatedAt: Instant,
  version: z.int(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** The body of a `webhook-delivery` queue message: which delivery, and for which round. */
export const DeliveryMessage = z.object({
  tenantId: TenantId,
  endpointId: z.string().check(z.minLength(1), z.maxLength(64)),
  deliveryId: z.string().check(z.minLength(1), z.maxLength(64)),
  round: z.int().check(z.gte(1)),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

export function deliveryMessageOf(delivery: Pick<WebhookDelivery, 'tenantId' | 'endpointId' | 'id' | 'round'>): DeliveryMessage {
  return { tenantId: delivery.tenantId, endpointId: delivery.endpointId, deliveryId: delivery.id, round: delivery.round };
}

/** Attempts kept on a delivery item (the newest); `attemptCount` keeps counting beyond it. */
export const MAX_LOGGED_ATTEMPTS = 50;
/** Response bodies are kept up to this many bytes. */
export const RESPONSE_BODY_LIMIT_BYTES = 1024;
/** Deliveries and their attempts are kept this long after their last change (DynamoDB TTL). */
export const DELIVERY_RETENTION_DAYS = 90;
