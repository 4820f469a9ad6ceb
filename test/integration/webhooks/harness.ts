import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { LocalEventBus } from '../../../infra/local/local-event-bus.ts';
import { LocalQueue } from '../../../infra/local/local-queue.ts';
import { EVENT_ROUTES, QUEUES } from '../../../infra/topology.ts';
import type { DomainEvent } from '../../../shared/domain/domain-events.ts';
import type { Clock } from '../../../shared/ports/clock.ts';
import type { QueueName } from '../../../shared/ports/job-queue.ts';
import { resetConfig } from '../../../shared/runtime/config.ts';
import { resetDependencies } from '../../../shared/runtime/deps/lazy.ts';
import { clearRuntimeOverrides, setRuntimeOverrides } from '../../../shared/runtime/deps/overrides.ts';
import { clearWebhookOverrides, endpointAdminDeps, webhookDeliveryStore } from '../../../shared/runtime/deps/webhooks.ts';
import { createWebhookEndpoint, type CreatedEndpoint } from '../../../shared/use-cases/webhooks/manage-endpoints.ts';
import type { WebhookDelivery } from '../../../shared/domain/webhook-delivery.ts';
import { createTestTable } from '../../support/dynamo.ts';

/** Real time plus an offset the test can move (the 5-day rule), so queue timers and the clock agree otherwise. */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

export interface HarnessOptions {
  /** WEBHOOK_RETRY_SCHEDULE (seconds, compressed). */
  schedule: string;
  timeoutMs: number;
  /** Visibility timeout of a received message (how soon a crashed invocation's batch comes back). */
  visibilitySeconds: number;
  /** Also run the delivery dead-letter queue's consumer (it acknowledges what it reconciles, so the DLQ drains). */
  reconcileDeadLetters?: boolean;
}

export interface Harness {
  bus: LocalEventBus;
  queues: Record<QueueName, LocalQueue<unknown>>;
  deadLetterQueues: Record<QueueName, LocalQueue<unknown>>;
  clock: OffsetClock;
  /** Every batch response the delivery consumer returned, in order. */
  deliveryResponses: { messageIds: string[]; response: SQSBatchResponse }[];
  /** Every batch response of the delivery DLQ consumer (when it runs). */
  deadLetterResponses: { messageIds: string[]; response: SQSBatchResponse }[];
  /** Makes the delivery invocation in flight "die" (its promise rejects at once; nothing after runs). */
  crashDeliveryInvocation(): void;
  createEndpoint(tenantId: string, url: string, eventTypes?: string[]): Promise<CreatedEndpoint>;
  deliveriesOf(tenantId: string, endpointId: string): Promise<WebhookDelivery[]>;
  waitUntil<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  publish(event: DomainEvent): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The webhook pipeline as the local stack runs it, minus HTTP: DynamoDB Local, the production routing
 * table on an in-process bus, SQS-faithful queues (redrive to dead-letter queues after maxReceiveCount) and
 * the real fan-out and delivery handlers, with a compressed retry schedule.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const table = await createTestTable('webhooks');
  Object.assign(process.env, {
    RUNTIME_MODE: 'local',
    DYNAMODB_ENDPOINT: table.endpoint,
    TABLE_NAME: table.tableName,
    LOCAL_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ALLOW_INSECURE_WEBHOOK_URLS: '1',
    WEBHOOK_RETRY_SCHEDULE: options.schedule,
    WEBHOOK_TIMEOUT_MS: String(options.timeoutMs),
    WEBHOOK_DISABLE_AFTER_HOURS: '120',
  });
  resetConfig();
  resetDependencies();
  clearWebhookOverrides();

  const queues = {} as Record<QueueName, LocalQueue<unknown>>;
  const deadLetterQueues = {} as Record<QueueName, LocalQueue<unknown>>;
  for (const spec of QUEUES) {
    deadLetterQueues[spec.name] = new LocalQueue({ name: `${spec.name}-dlq`, visibilityTimeoutSeconds: 30 });
    queues[spec.name] = new LocalQueue({
      name: spec.name,
      visibilityTimeoutSeconds: options.visibilitySeconds,
      maxReceiveCount: spec.maxReceiveCount,
      deadLetterQueue: deadLetterQueues[spec.name],
      batchSize: 10,
      retentionSeconds: spec.retentionSeconds,
    });
  }
  const bus = new LocalEventBus(EVENT_ROUTES, queues);
  const clock = new OffsetClock();
  setRuntimeOverrides({ publisher: bus, queues, deadLetterQueues, clock });

  const { handler: fanOut } = await import('../../../functions/webhook-fanout/handler.ts');
  const { handler: deliver } = await import('../../../functions/webhook-delivery/handler.ts');
  const deliveryResponses: Harness['deliveryResponses'] = [];
  let crash: (() => void) | null = null;
  queues['webhook-fanout'].start((event) => fanOut(event));
  queues['webhook-delivery'].start(async (event: SQSEvent) => {
    const died = new Promise<never>((_resolve, reject) => {
      crash = () => reject(new Error('delivery worker died'));
    });
    const response = await Promise.race([deliver(event), died]);
    crash = null;
    deliveryResponses.push({ messageIds: event.Records.map((r) => r.messageId), response });
    return response;
  });

  const deadLetterResponses: Harness['deadLetterResponses'] = [];
  if (options.reconcileDeadLetters) {
    const { handler: reconcile } = await import('../../../functions/webhook-dead-letters/handler.ts');
    deadLetterQueues['webhook-delivery'].start(async (event: SQSEvent) => {
      const response = await reconcile(event);
      deadLetterResponses.push({ messageIds: event.Records.map((r) => r.messageId), response });
      return response;
    });
  }

  return {
    bus,
    queues,
    deadLetterQueues,
    clock,
    deliveryResponses,
    deadLetterResponses,
    crashDeliveryInvocation() {
      if (!crash) throw new Error('no delivery invocation in flight');
      crash();
    },
    createEndpoint: (tenantId, url, eventTypes = ['*']) => createWebhookEndpoint(endpointAdminDeps(), { tenantId, url, eventTypes }),
    async deliveriesOf(tenantId, endpointId) {
      return (await webhookDeliveryStore().list(tenantId, endpointId, { limit: 100 })).items;
    },
    async waitUntil(probe, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    publish: (event) => bus.publish([event]),
    async stop() {
      for (const queue of [...Object.values(queues), ...Object.values(deadLetterQueues)]) await queue.stop();
      clearRuntimeOverrides();
      clearWebhookOverrides();
      table.client.destroy();
    },
  };
}
