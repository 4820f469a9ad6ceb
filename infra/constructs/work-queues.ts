import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '../../shared/ports/job-queue.ts';
import type { FunctionSpec, QueueSpec } from '../topology.ts';
import type { DeadLetterAlarms } from './dead-letter-alarms.ts';
import { DEAD_LETTER_RETENTION, encryptedQueue } from './encrypted-queue.ts';
import { pascalCase } from './naming.ts';
import { queueConsumer, type Topology } from './topology-input.ts';

/** AWS's rule for Lambda consumers (reliability.md §6): a slow batch must not reappear while it still runs. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
const VISIBILITY_WITHOUT_CONSUMER = Duration.seconds(30);

export interface WorkQueue {
  spec: QueueSpec;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
  consumer: FunctionSpec | undefined;
}

export interface WorkQueuesProps {
  topology: Topology;
  key: kms.IKey;
  alarms: DeadLetterAlarms;
}

/** Visibility timeout for a queue consumed by `consumer`: 6 × its timeout plus the time a batch may gather. */
export function visibilityTimeoutFor(consumer: FunctionSpec | undefined): Duration {
  if (!consumer) return VISIBILITY_WITHOUT_CONSUMER;
  const batchingWindow = consumer.trigger.kind === 'queue' ? consumer.trigger.maxBatchingWindowSeconds : 0;
  return Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds + batchingWindow);
}

/** Every queue of the topology with its dead-letter queue (redrive after `maxReceiveCount`) and an alarm on it. */
export class WorkQueues extends Construct {
  readonly #queues = new Map<QueueName, WorkQueue>();

  constructor(scope: Construct, id: string, props: WorkQueuesProps) {
    super(scope, id);
    for (const spec of props.topology.queues) {
      const name = pascalCase(spec.name);
      const consumer = queueConsumer(props.topology, spec.name);
      const deadLetterConsumer = props.topology.functions.find((f) => f.trigger.kind === 'dead-letters' && f.trigger.queue === spec.name);
      const deadLetterQueue = encryptedQueue(this, `${name}DeadLetterQueue`, {
        key: props.key,
        retention: DEAD_LETTER_RETENTION,
        ...(deadLetterConsumer ? { visibilityTimeout: visibilityTimeoutFor(deadLetterConsumer) } : {}),
      });
      const queue = encryptedQueue(this, `${name}Queue`, {
        key: props.key,
        retention: Duration.seconds(spec.retentionSeconds),
        visibilityTimeout: visibilityTimeoutFor(consumer),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      });
      props.alarms.watch(`${name}DeadLetterAlarm`, deadLetterQueue, `Queue ${spec.name}`);
      this.#queues.set(spec.name, { spec, queue, deadLetterQueue, consumer });
    }
  }

  get(name: QueueName): WorkQueue {
    const entry = this.#queues.get(name);
    if (!entry) throw new Error(`No queue named ${name} in the topology`);
    return entry;
  }

  all(): WorkQueue[] {
    return [...this.#queues.values()];
  }
}
