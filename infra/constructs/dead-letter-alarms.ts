import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterAlarmsProps {
  key: kms.IKey;
  /** Subscribed by e-mail when set (the subscription must be confirmed from the mail). */
  email: string | undefined;
}

/**
 * One encrypted SNS topic and an alarm per dead-letter queue: a message in any DLQ is a change, a delivery or
 * a scheduled run that did not happen, and someone must look (reliability.md §6).
 */
export class DeadLetterAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly #alarmAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'calendar-integrations alarms', masterKey: props.key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.#alarmAction = new actions.SnsAction(this.topic);
  }

  /** Alarms when `queue` holds any visible message. */
  watch(id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `${what}: messages are waiting in a dead-letter queue. Inspect them, fix the cause, then redrive.`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.#alarmAction);
    alarm.addOkAction(this.#alarmAction);
    return alarm;
  }
}
