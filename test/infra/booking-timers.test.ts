import type { CfnResource } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { TIMER_SCHEDULE_ACTIONS } from '../../infra/constructs/booking-timers.ts';
import { EVENT_ROUTES, FUNCTIONS } from '../../infra/topology.ts';
import { actionsOf, referencedId, refersTo, resourceListOf, resourcesOf, statementsOfRole, synthesize, type Resource } from './support/synth.ts';

/** Issue 14 item 6: the Scheduler group, its execution role (least privilege) and the timers' DLQ. */
describe('booking timers in the stack', () => {
  const { stack, template } = synthesize();
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const timers = stack.bookingTimers!;
  const target = stack.functions.get('booking-timer')!;
  const groupId = idOf(timers.group);
  const roleId = idOf(timers.executionRole);
  const dlqId = idOf(timers.deadLetterQueue);

  it('has one schedule group, and a timer target and consumer in the topology', () => {
    expect(resourcesOf(template, 'AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    // Deleting the stack deletes the group and with it every pending timer (their target is gone too).
    expect(resources[groupId]!.DeletionPolicy).toBe('Delete');
    expect(FUNCTIONS.filter((spec) => spec.trigger.kind === 'timers').map((spec) => spec.name)).toEqual(['booking-timer']);
    expect(timers.target).toBe(target);
    expect(EVENT_ROUTES.find((route) => route.name === 'booking-schedules')).toEqual({ name: 'booking-schedules', queue: 'booking-schedules', eventTypes: ['booking.created', 'booking.rescheduled', 'booking.cancelled'] });
  });

  it('lets only EventBridge Scheduler assume the execution role, for schedules of this group in this account', () => {
    const trust = resources[roleId]!.Properties!.AssumeRolePolicyDocument as { Statement: { Principal: { Service: string }; Action: string; Condition: Record<string, Record<string, unknown>> }[] };
    expect(trust.Statement).toHaveLength(1);
    const [statement] = trust.Statement;
    expect(statement!.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement!.Action).toBe('sts:AssumeRole');
    expect(statement!.Condition.StringEquals!['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(referencedId(statement!.Condition.ArnEquals!['aws:SourceArn'])).toBe(groupId);
    expect(resources[roleId]!.Properties!.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the execution role invoke the timer function and write the timers DLQ, nothing else', () => {
    const statements = statementsOfRole(template, roleId);
    const byAction = new Map<string, unknown[]>();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) byAction.set(action, [...(byAction.get(action) ?? []), ...resourceListOf(statement)]);
    }
    expect([...byAction.keys()].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(byAction.get('lambda:InvokeFunction')!.map(referencedId)).toEqual([idOf(target.function)]);
    expect(byAction.get('sqs:SendMessage')!.map(referencedId)).toEqual([dlqId]);
    const kms = statements.find((statement) => actionsOf(statement).includes('kms:Decrypt'))!;
    expect(referencedId(resourceListOf(kms)[0])).toBe(idOf(stack.keys.stackKey));
    expect(JSON.stringify(kms.Condition?.StringEquals?.['kms:ViaService'])).toContain('sqs.');
  });

  it('lets only booking-schedules create, move and delete schedules, only in this group, and pass only the execution role to Scheduler', () => {
    for (const spec of FUNCTIONS) {
      const fn = stack.functions.get(spec.name)!;
      const statements = statementsOfRole(template, idOf(fn.role));
      const scheduling = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('scheduler:')));
      const passing = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('iam:')));
      if (!spec.permissions.timers) {
        expect(scheduling, spec.name).toEqual([]);
        expect(passing, spec.name).toEqual([]);
        continue;
      }
      expect(spec.name).toBe('booking-schedules');
      expect(new Set(scheduling.flatMap(actionsOf))).toEqual(new Set(TIMER_SCHEDULE_ACTIONS));
      for (const statement of scheduling) {
        const resource = JSON.stringify(resourceListOf(statement));
        expect(resource).toContain(`:schedule/${resources[groupId]!.Properties!.Name as string}/*`);
      }
      expect(passing).toHaveLength(1);
      expect(actionsOf(passing[0]!)).toEqual(['iam:PassRole']);
      expect(resourceListOf(passing[0]!).map(referencedId)).toEqual([roleId]);
      expect(passing[0]!.Condition?.StringEquals?.['iam:PassedToService']).toBe('scheduler.amazonaws.com');
      const variables = (resources[idOf(fn.function)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(referencedId(variables.BOOKING_TIMER_TARGET_ARN)).toBe(idOf(target.function));
      expect(referencedId(variables.BOOKING_TIMER_ROLE_ARN)).toBe(roleId);
      expect(referencedId(variables.BOOKING_TIMER_DLQ_ARN)).toBe(dlqId);
      expect(variables.BOOKING_TIMER_GROUP).toBe(resources[groupId]!.Properties!.Name);
    }
  });

  it('sends failed timer runs to the alarmed timers DLQ after at most 2 retries', () => {
    const [config] = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig').filter(([, resource]) => refersTo(resource.Properties!.FunctionName, idOf(target.function)));
    expect(config).toBeDefined();
    const props = config![1].Properties!;
    expect(referencedId((props.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination)).toBe(dlqId);
    expect(props.MaximumRetryAttempts).toBe(2);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) => refersTo(alarm.Properties!.Dimensions, dlqId));
    expect(alarms).toHaveLength(1);
  });
});
