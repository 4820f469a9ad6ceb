import { AppError, isAppError } from '../../domain/app-error.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Log } from '../../ports/log.ts';
import type { WebhookDeliveryPatch, WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { EndpointWithSecrets, WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import type { WebhookSender } from '../../ports/webhook-sender.ts';
import { parseRetryAfter, retryDelayMs } from '../../domain/webhook-retry-schedule.ts';
import { signedHeaders } from '../../domain/webhook-signature.ts';
import {
  MAX_LOGGED_ATTEMPTS,
  deliveryMessageOf,
  type DeliveryAttempt,
  type DeliveryFailure,
  type DeliveryMessage,
  type WebhookDelivery,
} from '../../domain/webhook-delivery.ts';
import { webhookAttemptEntry } from './webhook-log.ts';
import type { WebhookSettings } from './webhook-settings.ts';

export interface DeliveryWorkerDeps {
  deliveries: WebhookDeliveryStore;
  endpoints: WebhookEndpointStore;
  sender: WebhookSender;
  publisher: EventPublisher;
  /** The delivery queue's dead-letter queue: exhausted deliveries are put there explicitly. */
  deadLetters: JobQueue<DeliveryMessage>;
  clock: Clock;
  log: Log;
  settings: Pick<WebhookSettings, 'retryScheduleMs' | 'timeoutMs' | 'disableAfterMs'>;
  random?: () => number;
  /** The integration log: one entry per attempt (webhook.sent / webhook.failed). */
  integrationLog?: IntegrationLogWriter | undefined;
}

/** What the queue should do with the message: acknowledge it, or hide it until the next attempt is due. */
export type DeliveryOutcome = { kind: 'done'; reason: string } | { kind: 'retry'; delayMs: number };

/** A message that comes up at most this early is attempted anyway (SQS rounds visibility to whole seconds). */
const EARLY_TOLERANCE_MS = 1_000;
const RETRY_AFTER_STATUSES = new Set([429, 503]);

const done = (reason: string): DeliveryOutcome => ({ kind: 'done', reason });

/**
 * One delivery message, one step: at most one attempt, recorded on the delivery item. The attempt number
 * comes from the record (never from the queue's receive count, which crashes raise too). The record is
 * written conditionally on the version read, so if another copy of the message got there first this copy
 * stands down; a worker that dies after sending and before recording leaves the record as it was, and the
 * message's next receive attempts again with the same `webhook-id`.
 *
 * Failed attempts wait on the schedule (jittered, at least a 429/503 `Retry-After`); after the last one the
 * delivery is `failed`, `webhook.delivery.exhausted` is published and the message is dead-lettered. 410
 * disables the endpoint at once; so does a failing streak that lasted `disableAfterMs`.
 */
export async function processDelivery(deps: DeliveryWorkerDeps, message: DeliveryMessage): Promise<DeliveryOutcome> {
  const delivery = await deps.deliveries.get(message.tenantId, message.endpointId, message.deliveryId);
  if (!delivery) return done('unknown delivery (expired, or its endpoint was deleted)');
  if (message.round !== delivery.round) return done('stale round: the delivery was redelivered since');
  if (delivery.status === 'succeeded') return done('already delivered');
  if (delivery.status === 'failed') {
    await finalize(deps, delivery);
    return done('already ended');
  }
  const now = deps.clock.now();
  if (delivery.nextAttemptAt) {
    const wait = Date.parse(delivery.nextAttemptAt) - now.getTime();
    if (wait > EARLY_TOLERANCE_MS) return { kind: 'retry', delayMs: wait };
  }
  const found = await deps.endpoints.getWithSecrets(delivery.tenantId, delivery.endpointId, now);
  if (!found) return end(deps, delivery, 'endpoint_deleted', now);
  if (!found.endpoint.enabled) return end(deps, delivery, 'endpoint_disabled', now);
  return attempt(deps, delivery, found, now);
}

async function attempt(deps: DeliveryWorkerDeps, delivery: WebhookDelivery, { endpoint, secrets }: EndpointWithSecrets, now: Date): Promise<DeliveryOutcome> {
  if (secrets.length === 0) throw new AppError('internal.unexpected', 'The endpoint has no valid signing secret', { retryable: false });
  const timestamp = Math.floor(now.getTime() / 1000);
  const response = await deps.sender.send({
    url: endpoint.url,
    headers: { ...signedHeaders(secrets, delivery.messageId, timestamp, delivery.payload) },
    body: delivery.payload,
    timeoutMs: deps.settings.timeoutMs,
  });
  const finishedAt = deps.clock.now();
  const roundAttempt = delivery.roundAttempts + 1;
  await recordIntegrationEvent(deps, { ...webhookAttemptEntry(delivery, endpoint, response, delivery.attemptCount + 1), at: finishedAt });
  const retryAfterMs = response.statusCode !== null && RETRY_AFTER_STATUSES.has(response.statusCode) ? parseRetryAfter(response.retryAfter ?? undefined, finishedAt) : null;
  const logged: DeliveryAttempt = {
    attempt: delivery.attemptCount + 1,
    round: delivery.round,
    roundAttempt,
    at: now.toISOString(),
    timestamp,
    statusCode: response.statusCode,
    latencyMs: response.latencyMs,
    errorClass: response.errorClass,
    error: response.error,
    responseBody: response.responseBody,
    retryAfterMs,
    nextAttemptAt: null,
  };
  const recorded: WebhookDeliveryPatch = {
    roundAttempts: roundAttempt,
    attemptCount: logged.attempt,
    lastStatusCode: response.statusCode,
    lastErrorClass: response.errorClass,
    updatedAt: finishedAt.toISOString(),
  };

  if (response.errorClass === null) {
    const saved = await record(deps, delivery, logged, { ...recorded, status: 'succeeded', failure: null, nextAttemptAt: null });
    if (endpoint.failingSince !== null) await deps.endpoints.clearFailing(endpoint.tenantId, endpoint.id);
    return saved ? done('delivered') : done('recorded by another copy of the message');
  }

  if (response.statusCode === 410) return endAfterAttempt(deps, delivery, logged, recorded, 'gone');

  const failingSince = endpoint.failingSince ?? now.toISOString();
  if (endpoint.failingSince === null) await deps.endpoints.markFailing(endpoint.tenantId, endpoint.id, failingSince);
  if (finishedAt.getTime() - Date.parse(failingSince) >= deps.settings.disableAfterMs) return endAfterAttempt(deps, delivery, logged, recorded, 'failing');

  const delayMs = retryDelayMs(deps.settings.retryScheduleMs, roundAttempt, retryAfterMs, deps.random);
  if (delayMs === null) return endAfterAttempt(deps, delivery, logged, recorded, 'exhausted');
  const nextAttemptAt = new Date(finishedAt.getTime() + delayMs).toISOString();
  const saved = await record(deps, delivery, { ...logged, nextAttemptAt }, { ...recorded, status: 'pending', nextAttemptAt });
  return saved ? { kind: 'retry', delayMs } : done('recorded by another copy of the message');
}

/** Writes the attempt; null when another copy of the message recorded first (this copy then stands down). */
async function record(deps: DeliveryWorkerDeps, delivery: WebhookDelivery, logged: DeliveryAttempt, patch: WebhookDeliveryPatch): Promise<WebhookDelivery | null> {
  try {
    return await deps.deliveries.update(delivery.tenantId, delivery.endpointId, delivery.id, delivery.version, {
      ...patch,
      attempts: [...delivery.attempts, logged].slice(-MAX_LOGGED_ATTEMPTS),
    });
  } catch (error) {
    if (isAppError(error, 'storage.conflict')) {
      deps.log.warn('webhook attempt already recorded by another copy of its message', { deliveryId: delivery.id, attempt: logged.attempt });
      return null;
    }
    throw error;
  }
}

async function endAfterAttempt(
  deps: DeliveryWorkerDeps,
  delivery: WebhookDelivery,
  logged: DeliveryAttempt,
  recorded: WebhookDeliveryPatch,
  failure: DeliveryFailure,
): Promise<DeliveryOutcome> {
  const saved = await record(deps, delivery, logged, { ...recorded, status: 'failed', failure, nextAttemptAt: null });
  if (!saved) return done('recorded by another copy of the message');
  await finalize(deps, saved);
  return done(failure);
}

/** Ends a delivery without an attempt (its endpoint is disabled or gone); kept for recovery. */
async function end(deps: DeliveryWorkerDeps, delivery: WebhookDelivery, failure: DeliveryFailure, now: Date): Promise<DeliveryOutcome> {
  try {
    await deps.deliveries.update(delivery.tenantId, delivery.endpointId, delivery.id, delivery.version, {
      status: 'failed',
      failure,
      nextAttemptAt: null,
      finalizedRound: delivery.round,
      updatedAt: now.toISOString(),
    });
  } catch (error) {
    if (!isAppError(error, 'storage.conflict')) throw error;
  }
  return done(failure);
}

/**
 * Carries out what a failed round's ending implies, once per round: an exhaustion is announced and
 * dead-lettered; a 410 or a long failing streak disables the endpoint and announces it. Each step is
 * idempotent (deterministic event ids, a conditional disable), so a crash in between is repaired when the
 * message comes up again.
 */
async function finalize(deps: DeliveryWorkerDeps, delivery: WebhookDelivery): Promise<void> {
  return finalizeDelivery(deps, delivery);
}

/**
 * `finalize`, shared with the dead-letter queue's consumer, which passes no `deadLetters`: it already holds
 * the message, and sending it to the DLQ again would only feed the consumer its own message.
 */
export async function finalizeDelivery(
  deps: Pick<DeliveryWorkerDeps, 'deliveries' | 'endpoints' | 'publisher' | 'clock' | 'log'> & Partial<Pick<DeliveryWorkerDeps, 'deadLetters'>>,
  delivery: WebhookDelivery,
): Promise<void> {
  if (delivery.finalizedRound >= delivery.round) return;
  const now = deps.clock.now();
  if (delivery.failure === 'exhausted') {
    await deps.publisher.publish([
      domainEvent(
        'webhook.delivery.exhausted',
        delivery.tenantId,
        {
          endpointId: delivery.endpointId,
          deliveryId: delivery.id,
          messageId: delivery.messageId,
          eventType: delivery.eventType,
          eventId: delivery.eventId,
          attempts: delivery.roundAttempts,
          lastStatusCode: delivery.lastStatusCode,
          lastError: delivery.lastErrorClass,
        },
        { idempotencyParts: [delivery.id, String(delivery.round)], time: now },
      ),
    ]);
    if (deps.deadLetters) await deps.deadLetters.send([{ body: deliveryMessageOf(delivery) }]);
  } else if (delivery.failure === 'gone' || delivery.failure === 'failing') {
    const endpoint = await deps.endpoints.get(delivery.tenantId, delivery.endpointId);
    if (endpoint?.enabled) {
      // Announce first, with an id fixed by the endpoint's version: a crash before the disable repeats the
      // same event (deduplicated downstream) instead of losing it.
      await deps.publisher.publish([
        domainEvent(
          'webhook.endpoint.disabled',
          delivery.tenantId,
          { endpointId: endpoint.id, url: endpoint.url, reason: delivery.failure },
          { idempotencyParts: [endpoint.id, String(endpoint.version)], time: now },
        ),
      ]);
      await deps.endpoints.disable(delivery.tenantId, delivery.endpointId, delivery.failure, now);
      deps.log.warn('webhook endpoint disabled', { endpointId: endpoint.id, reason: delivery.failure });
    }
  }
  try {
    await deps.deliveries.update(delivery.tenantId, delivery.endpointId, delivery.id, delivery.version, { finalizedRound: delivery.round, updatedAt: now.toISOString() });
  } catch (error) {
    if (!isAppError(error, 'storage.conflict')) throw error;
  }
}
