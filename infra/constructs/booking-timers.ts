import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeadLetterAlarms } from './dead-letter-alarms.ts';
import { terminalDeadLetterQueue } from './encrypted-queue.ts';
import { allowSendTo } from './function-permissions.ts';
import { QueueFailureDestination, SCHEDULE_RETRY_ATTEMPTS } from './function-triggers.ts';
import type { ServiceFunction } from './service-function.ts';

/** What may be done to the timers' schedules: no Get, List or tagging (the use-case never reads them back). */
export const TIMER_SCHEDULE_ACTIONS = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'];
/** How long an async invocation of the timer function may wait for its retries (a reminder later than 10 min is dropped anyway). */
const TARGET_MAX_EVENT_AGE = Duration.hours(1);

export interface BookingTimersProps {
  key: kms.IKey;
  alarms: DeadLetterAlarms;
}

/**
 * The booking timers in AWS (issue 14 items 3 and 6): an EventBridge Scheduler schedule group that holds one
 * one-time schedule per reminder and per booking end, the execution role Scheduler assumes — it may only
 * invoke the timer function and write the timers' dead-letter queue, and only schedules of this group in
 * this account may assume it — and that dead-letter queue (alarmed) for invocations Scheduler could not
 * make and for runs of the timer function that failed every retry.
 */
export class BookingTimers extends Construct {
  readonly group: scheduler.ScheduleGroup;
  readonly executionRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly #key: kms.IKey;
  #target: ServiceFunction | undefined;

  constructor(scope: Construct, id: string, props: BookingTimersProps) {
    super(scope, id);
    this.#key = props.key;
    const stack = Stack.of(this);
    // Deleting the stack deletes the group and its pending schedules: their target goes with the stack.
    // Named after the stack (a literal at synth time) so policies and acknowledgements can name its schedules.
    this.group = new scheduler.ScheduleGroup(this, 'Group', { scheduleGroupName: `${stack.stackName}-booking-timers`.slice(-64).replace(/^[^0-9a-zA-Z]+/, ''), removalPolicy: RemovalPolicy.DESTROY });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: 'calendar-integrations booking timers: EventBridge Scheduler invokes the timer function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    this.deadLetterQueue = terminalDeadLetterQueue(this, 'DeadLetterQueue', props.key, 'booking timers that could not be invoked or whose run failed every retry');
    props.alarms.watch('BookingTimersDeadLetterAlarm', this.deadLetterQueue, 'Booking timers (reminders, booking.completed)');
    this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    this.executionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );
  }

  /** The ARN pattern of this group's schedules (names are per booking, made at run time). */
  get scheduleArnPattern(): string {
    const stack = Stack.of(this);
    return stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.group.scheduleGroupName}/*` });
  }

  /** The one function the timers invoke: the role may invoke it and nothing else; its failed runs land in the DLQ. */
  setTarget(fn: ServiceFunction): void {
    if (this.#target) throw new Error(`Booking timers already invoke ${this.#target.spec.name}; one target only`);
    this.#target = fn;
    this.executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.function.functionArn] }));
    fn.function.configureAsyncInvoke({ onFailure: new QueueFailureDestination(this.deadLetterQueue), retryAttempts: SCHEDULE_RETRY_ATTEMPTS, maxEventAge: TARGET_MAX_EVENT_AGE });
    allowSendTo(fn, [this.deadLetterQueue], this.#key);
  }

  get target(): ServiceFunction | undefined {
    return this.#target;
  }

  /** A function that sets timers: create, move and delete this group's schedules, and hand Scheduler the execution role. */
  allowManage(fn: ServiceFunction): void {
    const target = this.#target;
    if (!target) throw new Error(`${fn.spec.name} manages booking timers, but the topology has no function with trigger 'timers'`);
    fn.allow(new iam.PolicyStatement({ actions: TIMER_SCHEDULE_ACTIONS, resources: [this.scheduleArnPattern] }));
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.group.scheduleGroupName}/*]`,
      reason: 'Booking timer schedules are named per booking at run time, so the policy names every schedule of the one booking-timers group (schedule/<group>/*): no other group, no schedule groups themselves, and only create, update and delete.',
    });
    fn.allow(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.function.addEnvironment('BOOKING_TIMER_GROUP', this.group.scheduleGroupName);
    fn.function.addEnvironment('BOOKING_TIMER_TARGET_ARN', target.function.functionArn);
    fn.function.addEnvironment('BOOKING_TIMER_ROLE_ARN', this.executionRole.roleArn);
    fn.function.addEnvironment('BOOKING_TIMER_DLQ_ARN', this.deadLetterQueue.queueArn);
  }
}

