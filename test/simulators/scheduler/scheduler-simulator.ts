import { answer, serveLoopback, type Fault, type LoopbackServer } from '../notify/http.ts';

/**
 * Amazon EventBridge Scheduler over its REST-JSON wire format (`POST|PUT|GET|DELETE /schedules/{Name}`,
 * errors as `x-amzn-errortype` + `{"Message"}`): schedules per group, Create refusing an existing name
 * (409 ConflictException), Update and Delete refusing a missing one (404 ResourceNotFoundException),
 * validation of names, `at(...)` expressions and targets as the service does (400 ValidationException).
 * `fireDue(nowMs)` plays the service's part: every one-time schedule whose time has come invokes its
 * target with its input once, and is deleted when `ActionAfterCompletion` is DELETE.
 */
export interface StoredSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  ActionAfterCompletion?: string;
  State?: string;
  Target: { Arn: string; RoleArn: string; Input?: string; RetryPolicy?: Record<string, number>; DeadLetterConfig?: { Arn: string } };
}

export interface SchedulerSimulator extends LoopbackServer {
  schedules: Map<string, StoredSchedule>;
  calls: { operation: string; name: string }[];
  faults: Fault[];
  throttleNext(): void;
  /** Invokes every due one-time schedule (target ARN and parsed input); returns how many ran. */
  fireDue(nowMs: number, invoke: (arn: string, input: unknown) => Promise<void>): Promise<number>;
}

const NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

const error = (status: number, type: string, message: string): Fault => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: JSON.stringify({ Message: message }),
});

/** The instant an `at()` schedule runs (UTC only here: that is all we use). */
export function atMs(schedule: Pick<StoredSchedule, 'ScheduleExpression'>): number {
  const m = AT.exec(schedule.ScheduleExpression)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export async function startSchedulerSimulator(options: { groups: string[] }): Promise<SchedulerSimulator> {
  const schedules = new Map<string, StoredSchedule>();
  const calls: { operation: string; name: string }[] = [];
  const faults: Fault[] = [];
  const key = (group: string, name: string) => `${group}/${name}`;
  const server = await serveLoopback((request, body, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (fault: Fault) => answer(response, fault.status, fault.body, fault.headers);
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!match) return reply(error(404, 'ResourceNotFoundException', `No route ${url.pathname}`));
    const name = decodeURIComponent(match[1]!);
    const operation = { POST: 'CreateSchedule', PUT: 'UpdateSchedule', GET: 'GetSchedule', DELETE: 'DeleteSchedule' }[request.method ?? ''] ?? 'Unknown';
    calls.push({ operation, name });
    if (!NAME.test(name)) return reply(error(400, 'ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint`));
    if (operation === 'GetSchedule' || operation === 'DeleteSchedule') {
      const group = url.searchParams.get('groupName') ?? 'default';
      const stored = schedules.get(key(group, name));
      if (!stored) return reply(error(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`));
      if (operation === 'DeleteSchedule') schedules.delete(key(group, name));
      return answer(response, 200, JSON.stringify(operation === 'GetSchedule' ? { ...stored, Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${name}` } : {}), { 'content-type': 'application/json' });
    }
    if (operation !== 'CreateSchedule' && operation !== 'UpdateSchedule') return reply(error(400, 'ValidationException', `Unsupported ${request.method}`));
    // The client token is the request's idempotency token, not part of the schedule.
    const { ClientToken: _token, ...input } = JSON.parse(body || '{}') as Omit<StoredSchedule, 'Name'> & { ClientToken?: string };
    const group = input.GroupName ?? 'default';
    if (!options.groups.includes(group)) return reply(error(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`));
    if (!AT.test(input.ScheduleExpression ?? '')) return reply(error(400, 'ValidationException', 'Invalid Schedule Expression'));
    if (input.ScheduleExpressionTimezone && input.ScheduleExpressionTimezone !== 'UTC') return reply(error(400, 'ValidationException', 'Only UTC is simulated'));
    if (!input.FlexibleTimeWindow?.Mode) return reply(error(400, 'ValidationException', 'FlexibleTimeWindow is required'));
    if (!input.Target?.Arn || !input.Target.RoleArn) return reply(error(400, 'ValidationException', 'Target Arn and RoleArn are required'));
    const exists = schedules.has(key(group, name));
    if (operation === 'CreateSchedule' && exists) return reply(error(409, 'ConflictException', `Schedule ${name} already exists.`));
    if (operation === 'UpdateSchedule' && !exists) return reply(error(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`));
    schedules.set(key(group, name), { ...input, Name: name, GroupName: group });
    return answer(response, 200, JSON.stringify({ ScheduleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${name}` }), { 'content-type': 'application/json' });
  }, faults);
  return {
    ...server,
    schedules,
    calls,
    faults,
    throttleNext: () => void faults.push(error(429, 'ThrottlingException', 'Rate exceeded')),
    async fireDue(nowMs, invoke) {
      const due = [...schedules.entries()].filter(([, s]) => s.State !== 'DISABLED' && atMs(s) <= nowMs).sort(([, a], [, b]) => atMs(a) - atMs(b));
      for (const [id, schedule] of due) {
        await invoke(schedule.Target.Arn, schedule.Target.Input === undefined ? undefined : JSON.parse(schedule.Target.Input));
        if (schedule.ActionAfterCompletion === 'DELETE') schedules.delete(id);
      }
      return due.length;
    },
  };
}
