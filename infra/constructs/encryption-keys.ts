import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Two customer-managed keys, both rotated yearly and retained when the stack is deleted (the retained
 * table and its stored tokens are unreadable without them).
 *
 * - `stackKey` encrypts resources at rest: the table, the queues, the alarm topic, the provider secret and
 *   the log groups. Functions use it only through those services (`kms:ViaService`).
 * - `credentialsKey` wraps the data keys of sealed provider tokens and CalDAV passwords (`KMS_KEY_ID`). It is
 *   a separate key so that being allowed to read a queue or write the table never implies being allowed to
 *   unwrap a token: only functions that declare `permissions.kms` can call it, directly, with an encryption
 *   context naming the record's tenant and provider. Its key policy names no service, and CloudTrail
 *   shows every token unwrap apart from the high-volume storage traffic.
 */
export class EncryptionKeys extends Construct {
  readonly stackKey: kms.Key;
  readonly credentialsKey: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);

    this.stackKey = new kms.Key(this, 'StackKey', {
      description: 'calendar-integrations: table, queues, topic, secret and logs at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.credentialsKey = new kms.Key(this, 'CredentialsKey', {
      description: 'calendar-integrations: envelope key for stored provider tokens and passwords',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Services that write into our encrypted resources on their own behalf. Conditions name this account
    // (not the rule or alarm ARNs: those depend on queues and topics that depend on this key, a cycle).
    const sameAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    this.stackKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeliversToEncryptedQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    this.stackKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    this.stackKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        // The action set CloudWatch Logs documents for encrypted log groups.
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
  }
}
