import type { CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { AppError } from '../domain/app-error.ts';
import { TIMER_ID, type OneTimeScheduler } from '../ports/one-time-scheduler.ts';

export interface EventBridgeOneTimeSchedulerOptions {
  /** A client, or a factory: the Scheduler SDK is then loaded on first use, not at cold start. */
  client: SchedulerClient | (() => Promise<SchedulerClient>);
  /** The schedule group every timer lives in (its ARN pattern is what the IAM policies name). */
  groupName: string;
  /** What a timer invokes: the timer function (Lambda ARN) or a queue (SQS ARN). */
  targetArn: string;
  /** The execution role EventBridge Scheduler assumes to invoke the target (and to write the DLQ). */
  roleArn: string;
  /** Where an invocation that failed every retry goes (SQS ARN). */
  deadLetterArn?: string | undefined;
  /** How long Scheduler keeps retrying an invocation it could not make (throttled target, outage). */
  maximumEventAgeSeconds?: number;
  maximumRetryAttempts?: number;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next whole second so a timer never fires early. */
export function atExpression(at: Date): string {
  const seconds = Math.ceil(at.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

function errorName(error: unknown): string {
  return error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : '';
}

function translate(error: unknown, operation: string): AppError {
  const name = errorName(error);
  // Service errors carry $fault; network errors and timeouts do not, and are worth a retry like 5xx and throttling.
  const fault = (error as { $fault?: string } | null)?.$fault;
  if (fault !== 'client' || name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') {
    return new AppError('internal.unexpected', `EventBridge Scheduler ${operation} failed (${name || 'network'})`, { retryable: true, cause: error });
  }
  return new AppError('internal.unexpected', `EventBridge Scheduler refused ${operation} (${name})`, { retryable: false, cause: error });
}

/**
 * One EventBridge Scheduler one-time schedule per timer: `at(...)` in UTC, no flexible window (Scheduler
 * invokes within the minute), deleted by Scheduler after it ran (`ActionAfterCompletion: DELETE`), the
 * payload as the target's input. `schedule` creates, and on a name that exists already (a retry, a move)
 * updates the schedule in place; `cancel` deletes and treats a missing schedule as done.
 */
export class EventBridgeOneTimeScheduler<T = unknown> implements OneTimeScheduler<T> {
  readonly #clientSource: EventBridgeOneTimeSchedulerOptions['client'];
  #client: Promise<SchedulerClient> | null = null;
  readonly #options: EventBridgeOneTimeSchedulerOptions;

  constructor(options: EventBridgeOneTimeSchedulerOptions) {
    this.#clientSource = options.client;
    this.#options = options;
  }

  #clientAndCommands() {
    const source = this.#clientSource;
    this.#client ??= typeof source === 'function' ? source() : Promise.resolve(source);
    return Promise.all([this.#client, import('@aws-sdk/client-scheduler')]);
  }

  /** The full schedule definition: Create and Update take the same fields (Update replaces them all). */
  scheduleInput(id: string, at: Date, payload: T): CreateScheduleCommandInput {
    const options = this.#options;
    return {
      Name: id,
      GroupName: options.groupName,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: options.targetArn,
        RoleArn: options.roleArn,
        Input: JSON.stringify(payload),
        RetryPolicy: { MaximumEventAgeInSeconds: options.maximumEventAgeSeconds ?? 3_600, MaximumRetryAttempts: options.maximumRetryAttempts ?? 10 },
        ...(options.deadLetterArn ? { DeadLetterConfig: { Arn: options.deadLetterArn } } : {}),
      },
    };
  }

  async schedule(id: string, at: Date, payload: T): Promise<void> {
    if (!TIMER_ID.test(id)) throw new AppError('internal.unexpected', `Timer id ${JSON.stringify(id)} is not a valid schedule name`, { retryable: false });
    const [client, { CreateScheduleCommand, UpdateScheduleCommand }] = await this.#clientAndCommands();
    const input = this.scheduleInput(id, at, payload);
    try {
      await client.send(new CreateScheduleCommand(input));
      return;
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw translate(error, 'CreateSchedule');
    }
    try {
      await client.send(new UpdateScheduleCommand(input));
    } catch (error) {
      // Fired and deleted between our create and update: make it again (a moved timer is a new one).
      if (errorName(error) !== 'ResourceNotFoundException') throw translate(error, 'UpdateSchedule');
      try {
        await client.send(new CreateScheduleCommand(input));
      } catch (again) {
        throw translate(again, 'CreateSchedule');
      }
    }
  }

  async cancel(id: string): Promise<void> {
    if (!TIMER_ID.test(id)) throw new AppError('internal.unexpected', `Timer id ${JSON.stringify(id)} is not a valid schedule name`, { retryable: false });
    const [client, { DeleteScheduleCommand }] = await this.#clientAndCommands();
    try {
      await client.send(new DeleteScheduleCommand({ Name: id, GroupName: this.#options.groupName }));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return;
      throw translate(error, 'DeleteSchedule');
    }
  }
}
