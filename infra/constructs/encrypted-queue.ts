import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What every dead-letter queue keeps: the SQS maximum, so an incident over a long weekend loses nothing. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export interface EncryptedQueueProps {
  key: kms.IKey;
  retention: Duration;
  visibilityTimeout?: Duration;
  deadLetterQueue?: sqs.DeadLetterQueue;
}

/** An SQS queue encrypted with the stack key that refuses plain-HTTP requests. */
export function encryptedQueue(scope: Construct, id: string, props: EncryptedQueueProps): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    // Producers and consumers reuse a data key for 15 min instead of calling KMS per message.
    dataKeyReuse: Duration.minutes(15),
    enforceSSL: true,
    retentionPeriod: props.retention,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: props.deadLetterQueue,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * A dead-letter queue that belongs to no queue's redrive policy (an EventBridge target's DLQ, an async
 * invocation's failure destination): cdk-nag cannot see that it is a DLQ.
 */
export function terminalDeadLetterQueue(scope: Construct, id: string, key: kms.IKey, purpose: string): sqs.Queue {
  const queue = encryptedQueue(scope, id, { key, retention: DEAD_LETTER_RETENTION });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue (${purpose}); a DLQ behind it would only move the same failed messages again. It is alarmed instead.`,
  });
  return queue;
}
