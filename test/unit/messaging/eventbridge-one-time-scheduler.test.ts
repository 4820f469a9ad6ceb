import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, ThrottlingException, UpdateScheduleCommand, ValidationException } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { atExpression, EventBridgeOneTimeScheduler } from '../../../shared/messaging/eventbridge-one-time-scheduler.ts';

const scheduler = mockClient(SchedulerClient);
const meta = { $metadata: {} };

function adapter() {
  return new EventBridgeOneTimeScheduler<{ bookingId: string }>({
    client: new SchedulerClient({ region: 'eu-west-1' }),
    groupName: 'stack-booking-timers',
    targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:booking-timer',
    roleArn: 'arn:aws:iam::123456789012:role/timers',
    deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:timers-dlq',
  });
}

const AT = new Date('2027-03-01T08:49:59.250Z');

describe('EventBridgeOneTimeScheduler', () => {
  beforeEach(() => scheduler.reset());

  it('writes at() in UTC to the second, rounded up so a timer never fires early', () => {
    expect(atExpression(new Date('2027-03-01T08:50:00.000Z'))).toBe('at(2027-03-01T08:50:00)');
    expect(atExpression(AT)).toBe('at(2027-03-01T08:50:00)');
    expect(atExpression(new Date('2027-12-31T23:59:59.001Z'))).toBe('at(2028-01-01T00:00:00)');
  });

  it('creates one one-time schedule in the group: at(), no flexible window, deleted after completion, the payload as the target input', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x', ...meta });
    await adapter().schedule('bkg_1.abcd1234.o0.r0', AT, { bookingId: 'bkg_1' });
    const calls = scheduler.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Name: 'bkg_1.abcd1234.o0.r0',
      GroupName: 'stack-booking-timers',
      ScheduleExpression: 'at(2027-03-01T08:50:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:booking-timer',
        RoleArn: 'arn:aws:iam::123456789012:role/timers',
        Input: JSON.stringify({ bookingId: 'bkg_1' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:timers-dlq' },
      },
    });
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('moves an existing schedule: a name that exists already is updated in place with the same definition', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'Schedule bkg_1 already exists.', Message: 'Schedule bkg_1 already exists.', ...meta }));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:x', ...meta });
    const later = new Date('2027-03-02T10:00:00Z');
    await adapter().schedule('bkg_1.abcd1234.o0.r0', later, { bookingId: 'bkg_1' });
    const update = scheduler.commandCalls(UpdateScheduleCommand);
    expect(update).toHaveLength(1);
    expect(update[0]!.args[0].input).toMatchObject({ Name: 'bkg_1.abcd1234.o0.r0', GroupName: 'stack-booking-timers', ScheduleExpression: 'at(2027-03-02T10:00:00)', ActionAfterCompletion: 'DELETE', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(update[0]!.args[0].input.Target?.Input).toBe(JSON.stringify({ bookingId: 'bkg_1' }));
  });

  it('creates again when the schedule fired and was deleted between the create and the update', async () => {
    scheduler.on(CreateScheduleCommand).rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', ...meta })).resolves({ ScheduleArn: 'arn:x', ...meta });
    scheduler.on(UpdateScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', ...meta }));
    await adapter().schedule('t1', AT, { bookingId: 'b' });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(2);
  });

  it('deletes a schedule by name in the group; one that is gone already (fired, never made) is fine', async () => {
    scheduler.on(DeleteScheduleCommand, { Name: 'gone' }).rejects(new ResourceNotFoundException({ message: 'Schedule gone does not exist.', Message: 'Schedule gone does not exist.', ...meta }));
    scheduler.on(DeleteScheduleCommand, { Name: 't1' }).resolves(meta);
    const timers = adapter();
    await timers.cancel('t1');
    await timers.cancel('gone');
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((call) => call.args[0].input)).toEqual([
      { Name: 't1', GroupName: 'stack-booking-timers' },
      { Name: 'gone', GroupName: 'stack-booking-timers' },
    ]);
  });

  it('turns throttling into a retryable error and a refused definition into a permanent one', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', ...meta }));
    scheduler.on(DeleteScheduleCommand).rejects(new ValidationException({ message: 'bad', Message: 'bad', ...meta }));
    const throttled = await adapter().schedule('t1', AT, { bookingId: 'b' }).catch((error: unknown) => error);
    expect(isAppError(throttled)).toBe(true);
    expect((throttled as { retryable: boolean }).retryable).toBe(true);
    const refused = await adapter().cancel('t1').catch((error: unknown) => error);
    expect(isAppError(refused)).toBe(true);
    expect((refused as { retryable: boolean }).retryable).toBe(false);
  });

  it('refuses a name Scheduler would not accept before calling it', async () => {
    const tooLong = 'x'.repeat(65);
    await expect(adapter().schedule(tooLong, AT, { bookingId: 'b' })).rejects.toThrow(/not a valid schedule name/);
    await expect(adapter().cancel('has space')).rejects.toThrow(/not a valid schedule name/);
    expect(scheduler.calls()).toHaveLength(0);
  });
});
