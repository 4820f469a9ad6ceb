import { AppError } from '../../domain/app-error.ts';
import { SqsJobQueue } from '../../messaging/sqs-job-queue.ts';
import type { Resolver } from '../../net/outbound-url.ts';
import type { CredentialCipher } from '../../ports/credential-cipher.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { WebhookSender } from '../../ports/webhook-sender.ts';
import { DynamoWebhookDeliveryStore } from '../../storage/dynamo-webhook-delivery-store.ts';
import { DynamoWebhookEndpointStore } from '../../storage/dynamo-webhook-endpoint-store.ts';
import type { FanOutDeps } from '../../use-cases/webhooks/fan-out-event.ts';
import type { EndpointAdminDeps } from '../../use-cases/webhooks/manage-endpoints.ts';
import type { DeliveryWorkerDeps } from '../../use-cases/webhooks/process-delivery.ts';
import type { RedeliverDeps } from '../../use-cases/webhooks/redeliver.ts';
import type { SendTestDeps } from '../../use-cases/webhooks/send-test-message.ts';
import type { ReconcileDeadLetterDeps } from '../../use-cases/webhooks/reconcile-dead-letter.ts';
import { SECRET_OVERLAP_MS, type WebhookSettings } from '../../use-cases/webhooks/webhook-settings.ts';
import type { DeliveryMessage } from '../../domain/webhook-delivery.ts';
import { systemResolver, webhookUrlPolicy } from '../../net/webhook-url-policy.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { integrationLogStore } from './integration-log.ts';
import { lazy } from './lazy.ts';
import { eventPublisher, jobQueue } from './messaging.ts';
import { runtimeOverrides } from './overrides.ts';
import { credentialCipher, dynamoDocument } from './storage.ts';

/**
 * Dependencies of the webhook functions. A file of its own so that only they bundle the sender and the
 * webhook stores. Tests plug in a resolver (DNS answers, e.g. a rebinding name), a sender or a random
 * source through `webhookOverrides`; nothing is set in Lambda.
 */
export interface WebhookOverrides {
  resolver?: Resolver;
  sender?: WebhookSender;
  random?: () => number;
}

export const webhookOverrides: WebhookOverrides = {};

export function clearWebhookOverrides(): void {
  for (const key of Object.keys(webhookOverrides) as (keyof WebhookOverrides)[]) delete webhookOverrides[key];
}

export function webhookSettings(): WebhookSettings {
  const c = config();
  return {
    retryScheduleMs: c.WEBHOOK_RETRY_SCHEDULE.map((seconds) => seconds * 1000),
    timeoutMs: c.WEBHOOK_TIMEOUT_MS,
    disableAfterMs: c.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    urlPolicy: webhookUrlPolicy({ isLocal: c.isLocal, allowInsecure: c.ALLOW_INSECURE_WEBHOOK_URLS }),
    secretOverlapMs: SECRET_OVERLAP_MS,
  };
}

/** Resolves through the override when a test set one (read per call, so it can change mid-test). */
const resolver: Resolver = (hostname) => (webhookOverrides.resolver ?? systemResolver)(hostname);

export const webhookEndpointStore = lazy(() => new DynamoWebhookEndpointStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

/** The fan-out reads endpoints but is given no key (least privilege): it never opens a secret. */
const refusingCipher: CredentialCipher = {
  seal: () => Promise.reject(new AppError('config.invalid', 'this function holds no key for webhook secrets')),
  open: () => Promise.reject(new AppError('config.invalid', 'this function holds no key for webhook secrets')),
};
const endpointMetadataStore = lazy(() => new DynamoWebhookEndpointStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: refusingCipher }));

export const webhookDeliveryStore = lazy(() => new DynamoWebhookDeliveryStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

/** The HTTP sender is loaded on the first delivery: only the delivery worker sends, the API functions never do. */
const nodeSender = lazy((): WebhookSender => {
  let loaded: Promise<WebhookSender> | null = null;
  return {
    async send(request) {
      loaded ??= import('../../net/webhook-sender.ts').then(({ NodeWebhookSender }) => new NodeWebhookSender({ policy: webhookSettings().urlPolicy, resolver }));
      return (await loaded).send(request);
    },
  };
});

export function webhookSender(): WebhookSender {
  return webhookOverrides.sender ?? nodeSender();
}

const sqsDeadLetters = lazy((): JobQueue<DeliveryMessage> => {
  const queueUrl = config().WEBHOOK_DELIVERY_DLQ_URL;
  if (!queueUrl) throw new AppError('config.invalid', 'WEBHOOK_DELIVERY_DLQ_URL is not set');
  // A factory: the SQS SDK is loaded on the first dead-letter, not at cold start.
  return new SqsJobQueue<DeliveryMessage>({ client: async () => new (await import('@aws-sdk/client-sqs')).SQSClient({ region: config().AWS_REGION }), queueUrl });
});

/** The delivery queue's dead-letter queue: the local stack's, or SQS at WEBHOOK_DELIVERY_DLQ_URL. */
export function deliveryDeadLetters(): JobQueue<DeliveryMessage> {
  return (runtimeOverrides.deadLetterQueues?.['webhook-delivery'] as JobQueue<DeliveryMessage> | undefined) ?? sqsDeadLetters();
}

export function endpointAdminDeps(): EndpointAdminDeps {
  return { endpoints: webhookEndpointStore(), clock: clock(), settings: webhookSettings(), resolver };
}

export function sendTestDeps(): SendTestDeps {
  return { endpoints: webhookEndpointStore(), publisher: eventPublisher(), clock: clock() };
}

export function redeliverDeps(): RedeliverDeps {
  return { endpoints: webhookEndpointStore(), deliveries: webhookDeliveryStore(), deliveryQueue: jobQueue<DeliveryMessage>('webhook-delivery'), clock: clock() };
}

export function deliveryLogDeps(): { endpoints: DynamoWebhookEndpointStore; deliveries: DynamoWebhookDeliveryStore } {
  return { endpoints: webhookEndpointStore(), deliveries: webhookDeliveryStore() };
}

export function fanOutDeps(): FanOutDeps {
  return {
    endpoints: endpointMetadataStore(),
    deliveries: webhookDeliveryStore(),
    deliveryQueue: jobQueue<DeliveryMessage>('webhook-delivery'),
    clock: clock(),
    log: logger,
  };
}

export function deliveryWorkerDeps(): DeliveryWorkerDeps {
  return {
    deliveries: webhookDeliveryStore(),
    endpoints: webhookEndpointStore(),
    sender: webhookSender(),
    publisher: eventPublisher(),
    deadLetters: deliveryDeadLetters(),
    clock: clock(),
    log: logger,
    settings: webhookSettings(),
    ...(webhookOverrides.random ? { random: webhookOverrides.random } : {}),
    integrationLog: integrationLogStore(),
  };
}

export function deadLetterReconcileDeps(): ReconcileDeadLetterDeps {
  return { deliveries: webhookDeliveryStore(), endpoints: endpointMetadataStore(), publisher: eventPublisher(), clock: clock(), log: logger };
}
