import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeadLetterAlarms } from './dead-letter-alarms.ts';
import { terminalDeadLetterQueue } from './encrypted-queue.ts';
import { QUEUE_CONSUME_ACTIONS, allowSendTo, stackKeyVia } from './function-permissions.ts';
import { pascalCase } from './naming.ts';
import type { ServiceFunction } from './service-function.ts';
import type { WorkQueue } from './work-queues.ts';

/** Retries of a failed scheduled run (Lambda async invoke and EventBridge target alike) before it is dead-lettered. */
export const SCHEDULE_RETRY_ATTEMPTS = 2;

/**
 * Connects a queue to its consumer with partial batch failure reporting. Permissions are granted here by
 * hand (the stock SqsEventSource grants `kms:Decrypt` on the key for any use, not only through SQS); the
 * consumer also changes message visibility itself to back off (shared/messaging/sqs-batch.ts).
 */
export function connectQueueTrigger(fn: ServiceFunction, work: WorkQueue, key: kms.IKey): lambda.EventSourceMapping {
  const trigger = fn.spec.trigger;
  if (trigger.kind !== 'queue' && trigger.kind !== 'dead-letters') throw new Error(`${fn.spec.name} is not queue-triggered`);
  // A dead-letters consumer reads the DLQ; nothing of it sends back to the work queue.
  const source = trigger.kind === 'queue' ? work.queue : work.deadLetterQueue;
  fn.allow(new iam.PolicyStatement({ actions: QUEUE_CONSUME_ACTIONS, resources: [source.queueArn] }));
  stackKeyVia(fn, key, 'sqs', ['kms:Decrypt']);
  const mapping = new lambda.EventSourceMapping(fn, 'QueueTrigger', {
    target: fn.function,
    eventSourceArn: source.queueArn,
    batchSize: trigger.batchSize,
    maxBatchingWindow: trigger.kind === 'queue' && trigger.maxBatchingWindowSeconds > 0 ? Duration.seconds(trigger.maxBatchingWindowSeconds) : undefined,
    maxConcurrency: trigger.kind === 'queue' ? trigger.maxConcurrency : undefined,
    reportBatchItemFailures: true,
  });
  mapping.node.addDependency(fn.role);
  return mapping;
}

/** An async invocation failure destination that leaves permissions to the caller (the stock one grants `kms:*` wildcards). */
export class QueueFailureDestination implements lambda.IDestination {
  readonly #queue: sqs.IQueue;

  constructor(queue: sqs.IQueue) {
    this.#queue = queue;
  }

  bind(): lambda.DestinationConfig {
    return { destination: this.#queue.queueArn };
  }
}

export interface ScheduledRun {
  rule: events.Rule;
  /** Runs EventBridge could not invoke and invocations that failed every retry, for inspection. */
  failureQueue: sqs.Queue;
}

/**
 * Runs a function at a fixed rate. A run that cannot start or fails all its retries lands in a failure
 * queue (alarmed). A run older than one period is dropped rather than retried: the next run supersedes it.
 */
export function scheduleFunction(scope: Construct, fn: ServiceFunction, key: kms.IKey, alarms: DeadLetterAlarms): ScheduledRun {
  const trigger = fn.spec.trigger;
  if (trigger.kind !== 'schedule') throw new Error(`${fn.spec.name} is not schedule-triggered`);
  const name = pascalCase(fn.spec.name);
  const construct = new Construct(scope, `${name}Schedule`);
  const period = Duration.minutes(trigger.rateMinutes);
  const maxEventAge = Duration.seconds(Math.min(Math.max(period.toSeconds(), 60), 6 * 3600));

  const failureQueue = terminalDeadLetterQueue(construct, 'FailureQueue', key, `failed runs of the scheduled ${fn.spec.name}`);
  alarms.watch(`${name}ScheduleFailureAlarm`, failureQueue, `Scheduled function ${fn.spec.name}`);

  fn.function.configureAsyncInvoke({ onFailure: new QueueFailureDestination(failureQueue), retryAttempts: SCHEDULE_RETRY_ATTEMPTS, maxEventAge });
  allowSendTo(fn, [failureQueue], key);

  const rule = new events.Rule(construct, 'Rule', {
    description: `Runs ${fn.spec.name} every ${trigger.rateMinutes} min`,
    schedule: events.Schedule.rate(period),
    targets: [new targets.LambdaFunction(fn.function, { deadLetterQueue: failureQueue, retryAttempts: SCHEDULE_RETRY_ATTEMPTS, maxEventAge })],
  });
  return { rule, failureQueue };
}
