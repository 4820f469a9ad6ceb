import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_SOURCE } from '../../shared/domain/domain-events.ts';
import { loadConfig } from '../../shared/runtime/config.ts';
import { TABLE_SCHEMA } from '../../shared/storage/table-schema.ts';
import { TOPOLOGIES } from './support/extended-topology.ts';
import { referencedId, refersTo, resourcesOf, synthesize, type Resource } from './support/synth.ts';

const DAY = 86_400;
const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/** `rate(5 minutes)`, `rate(1 hour)` → minutes. */
function rateMinutes(expression: string): number {
  const match = /^rate\((\d+) (\w+)\)$/.exec(expression);
  if (!match) throw new Error(`Not a rate expression: ${expression}`);
  return Number(match[1]) * UNIT_MINUTES[match[2]!]!;
}
/** reliability.md §6: a queue's visibility timeout is at least 6 × its consumer's timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

/** reliability.md §6 and scenario 9, asserted on the synthesized template for the topology of today and of tomorrow. */
describe.each(TOPOLOGIES)('infrastructure invariants of the $name', ({ topology }) => {
  const { stack, template } = synthesize({ topology });
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const functionIdOf = (name: string) => idOf(stack.functions.get(name)!.function);
  const specOfFunctionId = (logicalId: string) => topology.functions.find((spec) => functionIdOf(spec.name) === logicalId);
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
  const rules = resourcesOf(template, 'AWS::Events::Rule');
  const invokeConfigs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig');

  /** Every queue that holds failures: redrive targets, EventBridge target DLQs, async failure destinations. */
  const deadLetterQueueIds = new Set<string>([
    ...queues.flatMap(([, queue]) => {
      const redrive = queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
      return redrive ? [referencedId(redrive.deadLetterTargetArn)] : [];
    }),
    ...rules.flatMap(([, rule]) => ((rule.Properties?.Targets ?? []) as { DeadLetterConfig?: { Arn: unknown } }[]).flatMap((target) => (target.DeadLetterConfig ? [referencedId(target.DeadLetterConfig.Arn)] : []))),
    ...invokeConfigs.map(([, config]) => referencedId((config.Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination)),
  ]);

  it('gives every queue of the topology its retention, a dead-letter queue after maxReceiveCount, and a visibility timeout ≥ 6 × its consumer timeout', () => {
    for (const spec of topology.queues) {
      const work = stack.queues.get(spec.name);
      const queue = resources[idOf(work.queue)]!.Properties!;
      const consumer = topology.functions.find((fn) => fn.trigger.kind === 'queue' && fn.trigger.queue === spec.name);

      expect(queue.MessageRetentionPeriod, spec.name).toBe(spec.retentionSeconds);
      const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      expect(referencedId(redrive.deadLetterTargetArn), spec.name).toBe(idOf(work.deadLetterQueue));
      expect(redrive.maxReceiveCount, spec.name).toBeGreaterThanOrEqual(spec.maxReceiveCount);
      expect(resources[idOf(work.deadLetterQueue)]!.Properties!.MessageRetentionPeriod).toBe(14 * DAY);
      if (consumer) expect(queue.VisibilityTimeout, spec.name).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds);
    }
  });

  it('wires every event source mapping to a redriven queue with partial batch failures and a safe visibility timeout', () => {
    const queueConsumers = topology.functions.filter((spec) => spec.trigger.kind === 'queue');
    const deadLetterConsumers = topology.functions.filter((spec) => spec.trigger.kind === 'dead-letters');
    expect(mappings).toHaveLength(queueConsumers.length + deadLetterConsumers.length);
    for (const [id, mapping] of mappings) {
      const props = mapping.Properties!;
      const queue = resources[referencedId(props.EventSourceArn)]!.Properties!;
      const consumer = specOfFunctionId(referencedId(props.FunctionName));
      if (consumer?.trigger.kind === 'dead-letters') {
        // A DLQ's consumer: it reads that very DLQ, reports partial failures and is never redriven further.
        expect(referencedId(props.EventSourceArn), id).toBe(idOf(stack.queues.get(consumer.trigger.queue).deadLetterQueue));
        expect(props.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);
        expect(queue.RedrivePolicy, id).toBeUndefined();
        expect(queue.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds);
        continue;
      }
      if (consumer?.trigger.kind !== 'queue') throw new Error(`${id} invokes no queue consumer of the topology`);
      const queueSpec = topology.queues.find((spec) => spec.name === (consumer.trigger.kind === 'queue' ? consumer.trigger.queue : ''))!;

      expect(props.FunctionResponseTypes, id).toEqual(['ReportBatchItemFailures']);
      expect(props.BatchSize, id).toBe(consumer.trigger.batchSize);
      if (consumer.trigger.maxConcurrency) expect(props.ScalingConfig, id).toEqual({ MaximumConcurrency: consumer.trigger.maxConcurrency });
      expect((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount, id).toBeGreaterThanOrEqual(queueSpec.maxReceiveCount);
      expect(queue.VisibilityTimeout as number, id).toBeGreaterThanOrEqual(VISIBILITY_TIMEOUT_FACTOR * consumer.timeoutSeconds);
    }
  });

  it('keeps webhook-delivery messages longer than the whole default retry schedule (with jitter and margin)', () => {
    const schedule = loadConfig({}).WEBHOOK_RETRY_SCHEDULE;
    expect(schedule.reduce((sum, seconds) => sum + seconds, 0)).toBe(5 + 300 + 1800 + 7200 + 18_000 + 36_000 + 36_000);
    const needed = schedule.reduce((sum, seconds) => sum + seconds, 0) * 1.1 + DAY;

    const queue = resources[idOf(stack.queues.get('webhook-delivery').queue)]!.Properties!;

    expect(queue.MessageRetentionPeriod as number).toBeGreaterThanOrEqual(needed);
  });

  it('gives every EventBridge target a dead-letter queue and an explicit retry policy', () => {
    expect(rules.length).toBeGreaterThanOrEqual(topology.eventRoutes.length);
    for (const [id, rule] of rules) {
      for (const target of rule.Properties!.Targets as { DeadLetterConfig?: { Arn: unknown }; RetryPolicy?: Record<string, number> }[]) {
        expect(target.DeadLetterConfig, id).toBeDefined();
        expect(resources[referencedId(target.DeadLetterConfig!.Arn)]?.Type, id).toBe('AWS::SQS::Queue');
        expect(target.RetryPolicy?.MaximumRetryAttempts, id).toBeGreaterThanOrEqual(0);
        expect(target.RetryPolicy?.MaximumEventAgeInSeconds, id).toBeGreaterThanOrEqual(60);
      }
    }
  });

  it('routes each event route from our bus and source to its queue, and only that rule may send to the queue', () => {
    for (const route of topology.eventRoutes) {
      const { rule } = stack.eventRoutes.rules.get(route.name)!;
      const props = resources[idOf(rule)]!.Properties!;
      const pattern = props.EventPattern as { source: string[]; 'detail-type'?: unknown[] };
      const queueId = idOf(stack.queues.get(route.queue).queue);

      expect(refersTo(props.EventBusName, idOf(stack.eventRoutes.bus))).toBe(true);
      expect(pattern.source).toEqual([DOMAIN_EVENT_SOURCE]);
      const expectedTypes = route.eventTypes.includes('*')
        ? undefined
        : route.eventTypes.map((type) => (type.endsWith('.*') ? { prefix: type.slice(0, -1) } : type));
      expect(pattern['detail-type']).toEqual(expectedTypes);
      expect((props.Targets as { Arn: unknown }[]).map((target) => referencedId(target.Arn))).toEqual([queueId]);

      const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy').filter(([, policy]) => refersTo(policy.Properties!.Queues, queueId));
      const grants = policies
        .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: { Effect: string; Principal?: { Service?: string }; Condition?: unknown }[] }).Statement)
        .filter((statement) => statement.Effect === 'Allow' && statement.Principal?.Service === 'events.amazonaws.com');
      expect(grants.length).toBeGreaterThan(0);
      const allowedRules = grants.map((grant) => referencedId((grant.Condition as { ArnEquals: { 'aws:SourceArn': unknown } }).ArnEquals['aws:SourceArn']));
      const routesToQueue = topology.eventRoutes.filter((other) => other.queue === route.queue).map((other) => idOf(stack.eventRoutes.rules.get(other.name)!.rule));
      expect(new Set(allowedRules)).toEqual(new Set(routesToQueue));
    }
  });

  it('gives every asynchronously invoked (scheduled) function an on-failure destination and bounded retries', () => {
    const scheduled = topology.functions.filter((spec) => spec.trigger.kind === 'schedule');
    const timerTargets = topology.functions.filter((spec) => spec.trigger.kind === 'timers');
    expect(invokeConfigs).toHaveLength(scheduled.length + timerTargets.length);
    for (const spec of timerTargets) {
      const config = invokeConfigs.find(([, resource]) => refersTo(resource.Properties!.FunctionName, functionIdOf(spec.name)));
      expect(config, spec.name).toBeDefined();
      expect(referencedId((config![1].Properties!.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination)).toBe(idOf(stack.bookingTimers!.deadLetterQueue));
      expect(config![1].Properties!.MaximumRetryAttempts as number).toBeLessThanOrEqual(2);
    }
    for (const spec of scheduled) {
      const config = invokeConfigs.find(([, resource]) => refersTo(resource.Properties!.FunctionName, functionIdOf(spec.name)));
      expect(config, spec.name).toBeDefined();
      const props = config![1].Properties!;
      expect(resources[referencedId((props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination)]?.Type).toBe('AWS::SQS::Queue');
      expect(props.MaximumRetryAttempts as number).toBeLessThanOrEqual(2);
      const rule = resources[idOf(stack.schedules.get(spec.name)!.rule)]!.Properties!;
      expect(rateMinutes(rule.ScheduleExpression as string)).toBe(spec.trigger.kind === 'schedule' ? spec.trigger.rateMinutes : NaN);
    }
  });

  it('alarms on every dead-letter queue when it holds any message', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    const topicId = idOf(stack.alarms.topic);
    expect(deadLetterQueueIds.size).toBeGreaterThanOrEqual(topology.queues.length + topology.eventRoutes.length);
    for (const queueId of deadLetterQueueIds) {
      const alarm = alarms.find(([, resource]) => refersTo(resource.Properties!.Dimensions, queueId));
      expect(alarm, queueId).toBeDefined();
      const props = alarm![1].Properties!;
      expect(props).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(refersTo(props.AlarmActions, topicId)).toBe(true);
    }
    expect(resources[topicId]!.Properties!.KmsMasterKeyId).toBeDefined();
  });

  it('encrypts every queue with the stack key and refuses plain HTTP on it', () => {
    const stackKeyId = idOf(stack.keys.stackKey);
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    for (const [id, queue] of queues) {
      expect(refersTo(queue.Properties!.KmsMasterKeyId, stackKeyId), id).toBe(true);
      const denies = policies
        .filter(([, policy]) => refersTo(policy.Properties!.Queues, id))
        .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: { Effect: string; Condition?: unknown }[] }).Statement)
        .filter((statement) => statement.Effect === 'Deny' && JSON.stringify(statement.Condition).includes('"aws:SecureTransport":"false"'));
      expect(denies.length, id).toBeGreaterThan(0);
    }
  });

  it('builds the table from TABLE_SCHEMA with PITR, TTL, SSE under the stack key, and keeps it', () => {
    const [[, table]] = resourcesOf(template, 'AWS::DynamoDB::Table') as [[string, Resource]];
    const props = table.Properties!;

    expect(table.DeletionPolicy).toBe('Retain');
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true });
    expect(props.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(refersTo((props.SSESpecification as { KMSMasterKeyId: unknown }).KMSMasterKeyId, idOf(stack.keys.stackKey))).toBe(true);
    expect(props.KeySchema).toEqual([
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes).toEqual(
      TABLE_SCHEMA.globalSecondaryIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: index.nonKeyAttributes ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] } : { ProjectionType: 'ALL' },
      })),
    );
  });

  it('keeps provider credentials in one retained secret under the stack key, created as an empty JSON object', () => {
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [[id, secret]] = secrets as [[string, Resource]];
    expect(id).toBe(idOf(stack.providerSecret.secret));
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(refersTo(secret.Properties!.KmsKeyId, idOf(stack.keys.stackKey))).toBe(true);
    expect(JSON.parse(secret.Properties!.SecretString as string)).toEqual({});
  });

  it('rotates both KMS keys and keeps them when the stack is deleted', () => {
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(2);
    for (const [id, key] of keys) {
      expect(key.Properties!.EnableKeyRotation, id).toBe(true);
      expect(key.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('runs every function on nodejs24.x arm64 with the memory, timeout and a log group with retention from the topology', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(topology.functions.length);
    for (const spec of topology.functions) {
      const props = resources[functionIdOf(spec.name)]!.Properties!;
      expect(props.Runtime, spec.name).toBe('nodejs24.x');
      expect(props.Architectures, spec.name).toEqual(['arm64']);
      expect(props.MemorySize, spec.name).toBe(spec.memoryMb);
      expect(props.Timeout, spec.name).toBe(spec.timeoutSeconds);
      expect(props.Handler, spec.name).toBe('index.handler');
      const logGroup = resources[referencedId((props.LoggingConfig as { LogGroup: unknown }).LogGroup)]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties!.RetentionInDays).toBeGreaterThan(0);
    }
  });
});
