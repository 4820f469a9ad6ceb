import { describe, expect, it } from 'vitest';
import { NOTIFICATION_EVENT_TYPES } from '../../shared/use-cases/notifications/handle-notification-event.ts';
import { refersTo, resourcesOf, synthesize } from './support/synth.ts';

/** Issue 14 item 6: the notification consumer on the bus, its retry queue, DLQ and alarm, the SES identity parameter. */
describe('notifications in the stack', () => {
  const { stack, template } = synthesize();
  const json = template.toJSON() as { Parameters: Record<string, { Default?: string }> };
  const idOf = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
  const queues = stack.queues.get('notifications');
  const queueId = idOf(queues.queue);
  const dlqId = idOf(queues.deadLetterQueue);

  it('routes the booking and operator events from the bus to the notifications queue', () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(([, rule]) => refersTo(rule.Properties?.Targets, queueId));
    expect(rules).toHaveLength(1);
    const pattern = rules[0]![1].Properties!.EventPattern as { 'detail-type': unknown[] };
    expect(new Set(pattern['detail-type'])).toEqual(new Set(NOTIFICATION_EVENT_TYPES));
    expect(NOTIFICATION_EVENT_TYPES).toEqual(expect.arrayContaining(['booking.created', 'booking.rescheduled', 'booking.cancelled', 'connection.reauth_required', 'connection.disabled', 'connection.sync_failed', 'webhook.endpoint.disabled', 'video.quota_exhausted']));
  });

  it('consumes the queue with notification-sender, redrives to a DLQ after maxReceiveCount and alarms on it', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) => refersTo(mapping.Properties?.EventSourceArn, queueId));
    expect(mappings).toHaveLength(1);
    expect(refersTo(mappings[0]![1].Properties!.FunctionName, idOf(stack.functions.get('notification-sender')!.function))).toBe(true);
    expect(mappings[0]![1].Properties!.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const queue = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) => id === queueId)![1];
    expect(refersTo((queue.Properties!.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn, dlqId)).toBe(true);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) => refersTo(alarm.Properties?.Dimensions, dlqId));
    expect(alarms).toHaveLength(1);
  });

  it('takes the SES identity and From header as parameters, and gives EMAIL_FROM only to the sender', () => {
    expect(json.Parameters.SesIdentity?.Default).toBe('example.com');
    expect(json.Parameters.EmailFrom?.Default).toContain('@');
    const variables = (name: string) =>
      (resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id === idOf(stack.functions.get(name)!.function))![1].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(refersTo(variables('notification-sender').EMAIL_FROM, 'EmailFrom')).toBe(true);
    expect(variables('api-notifications').EMAIL_FROM).toBeUndefined();
  });
});
