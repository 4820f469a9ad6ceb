import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/domain/app-error.ts';
import { EventBridgeOneTimeScheduler } from '../../shared/messaging/eventbridge-one-time-scheduler.ts';
import { InProcessOneTimeScheduler } from '../../shared/messaging/in-process-one-time-scheduler.ts';
import { atMs, startSchedulerSimulator, type SchedulerSimulator } from '../simulators/scheduler/scheduler-simulator.ts';
import { oneTimeSchedulerContract } from './one-time-scheduler-contract.ts';

const GROUP = 'contract-booking-timers';
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:booking-timer';
let simulator: SchedulerSimulator;
let run = 0;

beforeAll(async () => {
  simulator = await startSchedulerSimulator({ groups: [GROUP] });
});
afterAll(async () => {
  await simulator?.stop();
});

function eventBridgeAdapter() {
  return new EventBridgeOneTimeScheduler<{ n: number }>({
    client: new SchedulerClient({ region: 'us-east-1', endpoint: simulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 }),
    groupName: GROUP,
    targetArn: TARGET,
    roleArn: 'arn:aws:iam::000000000000:role/timers',
    deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:timers-dlq',
  });
}

oneTimeSchedulerContract('in-process (local stack, tests)', async (startMs) => {
  const clock = { ms: startMs, now: () => new Date(clock.ms) };
  const fired: { payload: { n: number }; atMs: number }[] = [];
  const timers = new InProcessOneTimeScheduler<{ n: number }>({ clock, fire: async (payload) => void fired.push({ payload, atMs: clock.ms }) });
  return {
    timers,
    fired,
    runUntil: async (ms) => {
      clock.ms = ms;
      await timers.runDue();
    },
    pending: async () => new Map(timers.pending().map((t) => [t.name, Date.parse(t.at)])),
  };
});

oneTimeSchedulerContract('EventBridge Scheduler (its wire format, simulated)', async () => {
  // Each case gets its own names: the simulator is shared.
  const prefix = `r${run++}-`;
  const adapter = eventBridgeAdapter();
  const timers = {
    schedule: (id: string, at: Date, payload: { n: number }) => adapter.schedule(id.startsWith('ct-') ? prefix + id : id, at, payload),
    cancel: (id: string) => adapter.cancel(id.startsWith('ct-') ? prefix + id : id),
  };
  const fired: { payload: { n: number }; atMs: number }[] = [];
  const mine = () => [...simulator.schedules.values()].filter((s) => s.Name.startsWith(prefix));
  return {
    timers,
    fired,
    runUntil: async (ms) => {
      await simulator.fireDue(ms, async (arn, input) => {
        expect(arn).toBe(TARGET);
        const stored = input as { n: number };
        fired.push({ payload: stored, atMs: ms });
      });
    },
    pending: async () => new Map(mine().map((s) => [s.Name.slice(prefix.length), atMs(s)])),
  };
});

describe('EventBridge Scheduler adapter on the wire', () => {
  it('stores the schedule as the service sees it: the group, UTC, no window, deleted after completion, the role, retries and DLQ', async () => {
    await eventBridgeAdapter().schedule('wire-def', new Date('2027-06-01T10:15:00Z'), { n: 7 });
    expect(simulator.schedules.get(`${GROUP}/wire-def`)).toEqual({
      Name: 'wire-def',
      GroupName: GROUP,
      ScheduleExpression: 'at(2027-06-01T10:15:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: { Arn: TARGET, RoleArn: 'arn:aws:iam::000000000000:role/timers', Input: '{"n":7}', RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 }, DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:timers-dlq' } },
    });
  });

  it('a move is one CreateSchedule refused as a conflict, then UpdateSchedule; throttling is a retryable error', async () => {
    const adapter = eventBridgeAdapter();
    await adapter.schedule('wire-move', new Date('2027-06-01T10:15:00Z'), { n: 1 });
    const before = simulator.calls.length;
    await adapter.schedule('wire-move', new Date('2027-06-01T11:15:00Z'), { n: 2 });
    expect(simulator.calls.slice(before).map((c) => c.operation)).toEqual(['CreateSchedule', 'UpdateSchedule']);
    simulator.throttleNext();
    const throttled = await adapter.cancel('wire-move').catch((error: unknown) => error);
    expect(isAppError(throttled)).toBe(true);
    expect((throttled as { retryable: boolean }).retryable).toBe(true);
    await adapter.cancel('wire-move');
    expect(simulator.schedules.has(`${GROUP}/wire-move`)).toBe(false);
  });
});
