import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DOMAIN_EVENT_SOURCE } from '../../shared/domain/domain-events.ts';
import type { EventRoute } from '../topology.ts';
import type { DeadLetterAlarms } from './dead-letter-alarms.ts';
import { terminalDeadLetterQueue } from './encrypted-queue.ts';
import { pascalCase } from './naming.ts';
import type { Topology } from './topology-input.ts';
import type { WorkQueues } from './work-queues.ts';

/** How long and how often EventBridge retries a target it cannot reach before dead-lettering the event. */
export const ROUTE_RETRY = { maxEventAge: Duration.hours(24), retryAttempts: 185 };

/** The `detail-type` filter of a route: `['*']` matches every type, `x.*` is a prefix, anything else exact. */
export function detailTypeFilter(eventTypes: readonly string[]): string[] | undefined {
  if (eventTypes.includes('*')) return undefined;
  return events.Match.anyOf(...eventTypes.map((type) => (type.endsWith('.*') ? events.Match.prefix(type.slice(0, -1)) : events.Match.exactString(type))));
}

/**
 * Delivers a rule's events to a queue, with a dead-letter queue and an explicit retry policy. Unlike the
 * stock SqsQueue target, the queue policy names the rule itself: for KMS-encrypted queues the stock target
 * falls back to "any rule in the account".
 */
class QueueRouteTarget implements events.IRuleTarget {
  readonly #queue: sqs.IQueue;
  readonly #deadLetterQueue: sqs.IQueue;

  constructor(queue: sqs.IQueue, deadLetterQueue: sqs.IQueue) {
    this.#queue = queue;
    this.#deadLetterQueue = deadLetterQueue;
  }

  bind(rule: events.IRule): events.RuleTargetConfig {
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': rule.ruleArn } };
    for (const [queue, sid] of [
      [this.#queue, 'DeliverFrom'],
      [this.#deadLetterQueue, 'DeadLetterFrom'],
    ] as const) {
      queue.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `${sid}${rule.node.id}`,
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: fromThisRule,
        }),
      );
    }
    return {
      arn: this.#queue.queueArn,
      targetResource: this.#queue,
      deadLetterConfig: { arn: this.#deadLetterQueue.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: ROUTE_RETRY.maxEventAge.toSeconds(), maximumRetryAttempts: ROUTE_RETRY.retryAttempts },
    };
  }
}

export interface EventRoutesProps {
  topology: Topology;
  busName: string;
  queues: WorkQueues;
  key: kms.IKey;
  alarms: DeadLetterAlarms;
}

/** The domain event bus and the routing table of infra/topology.ts: one rule, target and target DLQ per route. */
export class EventRoutes extends Construct {
  readonly bus: events.EventBus;
  readonly rules = new Map<string, { route: EventRoute; rule: events.Rule; deadLetterQueue: sqs.Queue }>();

  constructor(scope: Construct, id: string, props: EventRoutesProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    for (const route of props.topology.eventRoutes) {
      const name = pascalCase(route.name);
      const deadLetterQueue = terminalDeadLetterQueue(this, `${name}TargetDeadLetterQueue`, props.key, `events the ${route.name} rule could not deliver`);
      props.alarms.watch(`${name}TargetDeadLetterAlarm`, deadLetterQueue, `Event route ${route.name}`);
      const rule = new events.Rule(this, `${name}Rule`, {
        eventBus: this.bus,
        description: `Domain events (${route.eventTypes.join(', ')}) to the ${route.queue} queue`,
        eventPattern: { source: [DOMAIN_EVENT_SOURCE], detailType: detailTypeFilter(route.eventTypes) },
      });
      rule.addTarget(new QueueRouteTarget(props.queues.get(route.queue).queue, deadLetterQueue));
      this.rules.set(route.name, { route, rule, deadLetterQueue });
    }
  }
}
