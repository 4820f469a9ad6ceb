import { Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { FunctionPermissions } from '../topology.ts';
import type { DataTable } from './data-table.ts';
import type { ServiceFunction } from './service-function.ts';
import type { WorkQueues } from './work-queues.ts';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
export const QUEUE_CONSUME_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'];
export const CREDENTIAL_KEY_ACTIONS: Record<FunctionPermissions['kms'], string[]> = {
  none: [],
  decrypt: ['kms:Decrypt'],
  'encrypt-decrypt': ['kms:GenerateDataKey', 'kms:Decrypt'],
};
/**
 * Encryption context every sealed secret carries (shared/storage: `{tenantId, connectionId, provider}` for
 * credentials, `{stateHash, tenantId, provider}` for PKCE verifiers): a data key can only be made or
 * unwrapped for a named tenant and provider.
 */
export const CREDENTIAL_CONTEXT_KEYS = ['tenantId', 'provider'];

export interface PermissionTargets {
  table: DataTable;
  queues: WorkQueues;
  bus: events.IEventBus;
  stackKey: kms.IKey;
  credentialsKey: kms.IKey;
  providerSecret: secretsmanager.ISecret;
  /** ARN of the verified SES identity notifications are sent from (the SesIdentity parameter). */
  emailIdentityArn: string;
}

export const SEND_EMAIL_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'];

/** Uses of the stack key, only through the service that stores the data (never a direct KMS call). */
export function stackKeyVia(fn: ServiceFunction, key: kms.IKey, service: 'dynamodb' | 'sqs' | 'secretsmanager', actions: string[]): void {
  fn.allow(
    new iam.PolicyStatement({
      actions,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

/** Sending to SSE-KMS queues: the queue's data key is made and read through SQS. */
export function allowSendTo(fn: ServiceFunction, queues: sqs.IQueue[], key: kms.IKey): void {
  if (queues.length === 0) return;
  fn.allow(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((queue) => queue.queueArn) }));
  stackKeyVia(fn, key, 'sqs', ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** Grants exactly what `permissions` in infra/topology.ts declares, on the named resources only. */
export function grantDeclaredPermissions(fn: ServiceFunction, targets: PermissionTargets): void {
  const { permissions } = fn.spec;

  if (permissions.table !== 'none') {
    const write = permissions.table === 'readwrite';
    fn.allow(
      new iam.PolicyStatement({
        actions: write ? [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS] : TABLE_READ_ACTIONS,
        resources: [targets.table.table.tableArn, ...targets.table.indexArns],
      }),
    );
    stackKeyVia(fn, targets.stackKey, 'dynamodb', write ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey']);
  }

  allowSendTo(
    fn,
    [
      ...permissions.sendTo.map((name) => targets.queues.get(name).queue),
      ...permissions.deadLetterTo.map((name) => targets.queues.get(name).deadLetterQueue),
    ],
    targets.stackKey,
  );

  if (permissions.publishEvents) {
    fn.allow(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [targets.bus.eventBusArn] }));
  }

  const keyActions = CREDENTIAL_KEY_ACTIONS[permissions.kms];
  if (keyActions.length > 0) {
    fn.allow(
      new iam.PolicyStatement({
        actions: keyActions,
        resources: [targets.credentialsKey.keyArn],
        conditions: { Null: Object.fromEntries(CREDENTIAL_CONTEXT_KEYS.map((key) => [`kms:EncryptionContext:${key}`, 'false'])) },
      }),
    );
  }

  if (permissions.sendEmail) {
    fn.allow(new iam.PolicyStatement({ actions: SEND_EMAIL_ACTIONS, resources: [targets.emailIdentityArn] }));
  }

  if (permissions.sendSms) {
    // SMS to a phone number has no resource ARN: Publish must name "*". The deny below keeps every topic
    // out of it, so what is left is publishing to phone numbers, nothing else.
    fn.allow(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    fn.allow(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['sns:Publish'], resources: [`arn:${Stack.of(fn).partition}:sns:*:*:*`] }));
    // cdk-nag reports the wildcard on the role's policy (made by the first allow()).
    Validations.of(fn.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sns:Publish to a phone number (SMS notifications) cannot name a resource; a Deny on every topic ARN leaves phone numbers only.',
    });
  }

  if (permissions.providerSecrets) {
    fn.allow(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [targets.providerSecret.secretArn] }));
    stackKeyVia(fn, targets.stackKey, 'secretsmanager', ['kms:Decrypt']);
  }
}
