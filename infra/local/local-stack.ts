import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { ensureTable } from '../../shared/storage/create-table.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { QueueName } from '../../shared/ports/job-queue.ts';
import { resetConfig } from '../../shared/runtime/config.ts';
import { resetDependencies } from '../../shared/runtime/deps/lazy.ts';
import { clearRuntimeOverrides, setRuntimeOverrides } from '../../shared/runtime/deps/overrides.ts';
import { EVENT_ROUTES, FUNCTIONS, HTTP_ROUTES, QUEUES, consumerOf, deadLetterConsumerOf, timerTarget } from '../topology.ts';
import { InProcessOneTimeScheduler } from '../../shared/messaging/in-process-one-time-scheduler.ts';
import { LocalClock } from './local-clock.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { createLocalHttpServer } from './http-server.ts';
import { FunctionRunner } from './function-runner.ts';
import { LocalEventBus } from './local-event-bus.ts';
import { createLocalIssuer, type LocalIssuer } from './local-issuer.ts';
import { LocalQueue } from './local-queue.ts';
import { localRoutes } from './local-routes.ts';
import { startSandboxProviders, type SandboxProviders } from './sandbox.ts';
import { startNotificationSandbox } from './sandbox-notify.ts';

export interface LocalStackOptions {
  /** Port to listen on (0 = any free port). Default: $PORT or 3000. */
  port?: number;
  /** Folder for persisted state (DynamoDB files with `persist`, the local keys). Default `.data`. */
  dataDir?: string;
  /** Keep DynamoDB data under `<dataDir>/dynamodb` across restarts. */
  persist?: boolean;
  /** Run the Google/Graph simulators when no provider credentials are configured ('auto', the default). */
  sandbox?: 'auto' | 'on' | 'off';
  /** Run the schedules on their timers (default true). Tests trigger them with `runSchedule`. */
  schedules?: boolean;
  /** Queue visibility timeout override in seconds (tests that simulate worker crashes). */
  visibilityTimeoutSeconds?: number;
  /** Put something between the handlers and DynamoDB Local (the load test counts requests this way). */
  wrapDynamoEndpoint?: (endpoint: string) => Promise<string>;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  port: number;
  issuer: LocalIssuer;
  devTenantId: string;
  devToken: string;
  bus: LocalEventBus;
  queues: Record<QueueName, LocalQueue<unknown>>;
  deadLetterQueues: Record<QueueName, LocalQueue<unknown>>;
  dynamo: DynamoDbLocal;
  runner: FunctionRunner;
  sandbox: SandboxProviders;
  /** The handlers' clock (real time unless moved ahead with `POST /local/clock`). */
  clock: LocalClock;
  /** EventBridge Scheduler's one-time schedules in process (booking reminders, booking.completed). */
  timers: InProcessOneTimeScheduler;
  runSchedule(functionName: string): Promise<unknown>;
  stop(): Promise<void>;
}

export const DEV_TENANT_ID = 'dev-tenant';
const AUDIENCE = 'calendar-integrations';

function persistentSecret(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Runs the whole backend in this process: DynamoDB Local, the real handlers behind a local API Gateway,
 * in-process queues and bus with the production routing table, the schedules, a development JWT issuer
 * and (sandbox mode) the provider simulators. Used by `npm start` and by the end-to-end tests.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(options.dataDir ?? '.data');
  const dynamo = await startDynamoDbLocal({ dbPath: options.persist ? path.join(dataDir, 'dynamodb') : null });

  const stopActions: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    const runner = new FunctionRunner();
    const queues = {} as Record<QueueName, LocalQueue<unknown>>;
    const deadLetterQueues = {} as Record<QueueName, LocalQueue<unknown>>;
    for (const spec of QUEUES) {
      const consumer = consumerOf(spec.name);
      const deadLetterConsumer = deadLetterConsumerOf(spec.name);
      const dlq = new LocalQueue<unknown>({
        name: `${spec.name}-dlq`,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? (deadLetterConsumer ? deadLetterConsumer.timeoutSeconds * 6 : 30),
        retentionSeconds: 14 * 86_400,
      });
      deadLetterQueues[spec.name] = dlq;
      queues[spec.name] = new LocalQueue<unknown>({
        name: spec.name,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? (consumer ? consumer.timeoutSeconds * 6 : 30),
        maxReceiveCount: spec.maxReceiveCount,
        deadLetterQueue: dlq,
        batchSize: consumer?.trigger.kind === 'queue' ? consumer.trigger.batchSize : 10,
        retentionSeconds: spec.retentionSeconds,
      });
    }
    const bus = new LocalEventBus(EVENT_ROUTES, queues);

    const server = createLocalHttpServer({
      routes: HTTP_ROUTES,
      invoke: (name, event: APIGatewayProxyEventV2) => runner.invoke<APIGatewayProxyStructuredResultV2>(name, event),
      extra: (request, body, response) => localRoutes.handle(request, body, response),
      onError: (error) => log(`local stack: function failed: ${error instanceof Error ? error.stack : String(error)}`),
    });
    const port = await listen(server, options.port ?? Number(process.env.PORT ?? 3000));
    stopActions.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.closeIdleConnections?.();
    const url = `http://localhost:${port}`;

    const issuer = await createLocalIssuer({
      issuer: `${url}/local-issuer`,
      audience: AUDIENCE,
      tenantClaim: process.env.JWT_TENANT_CLAIM ?? 'tenant_id',
      keyFile: path.join(dataDir, 'local-issuer-key.json'),
    });

    const tableName = process.env.TABLE_NAME ?? 'calendar-integrations';
    Object.assign(process.env, {
      RUNTIME_MODE: 'local',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: options.wrapDynamoEndpoint ? await options.wrapDynamoEndpoint(dynamo.endpoint) : dynamo.endpoint,
      LOCAL_ENCRYPTION_KEY: process.env.LOCAL_ENCRYPTION_KEY ?? persistentSecret(path.join(dataDir, 'local-encryption-key'), () => randomBytes(32).toString('base64')),
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: AUDIENCE,
      JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? url,
      PORT: String(port),
    });
    const sandbox = await startSandboxProviders(options.sandbox ?? 'auto', log);
    stopActions.push(() => sandbox.stop());
    const notifications = await startNotificationSandbox({ localSes: (options.sandbox ?? 'auto') !== 'off' });
    stopActions.push(() => notifications.stop());
    if (notifications.description) sandbox.running.notifications = notifications.description;
    resetConfig();
    resetDependencies();
    const clock = new LocalClock();
    const target = timerTarget();
    const timers = new InProcessOneTimeScheduler({
      clock,
      fire: (payload) => (target ? runner.invoke(target.name, payload) : Promise.resolve()),
      log: (line) => log(`local stack: ${line}`),
      // With --persist pending reminders / booking.completed survive a restart, as Scheduler's schedules do.
      ...(options.persist ? { file: path.join(dataDir, 'timers.json') } : {}),
    });
    setRuntimeOverrides({ publisher: bus, queues, deadLetterQueues, clock, timers });
    stopActions.push(async () => clearRuntimeOverrides());

    const admin = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(admin, tableName);
    admin.destroy();

    localRoutes.configure({ issuer, bus, queues, deadLetterQueues, runner, clock, timers });

    for (const spec of QUEUES) {
      const consumer = consumerOf(spec.name);
      if (consumer) {
        queues[spec.name].start((event) => runner.invoke<SQSBatchResponse>(consumer.name, event));
        stopActions.push(() => queues[spec.name].stop());
      }
      const deadLetterConsumer = deadLetterConsumerOf(spec.name);
      if (deadLetterConsumer) {
        deadLetterQueues[spec.name].start((event) => runner.invoke<SQSBatchResponse>(deadLetterConsumer.name, event));
        stopActions.push(() => deadLetterQueues[spec.name].stop());
      }
    }

    const runSchedule = (functionName: string): Promise<unknown> =>
      runner.invoke(functionName, {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [`arn:aws:events:local:000000000000:rule/${functionName}`],
        detail: {},
      });
    if (options.schedules !== false) {
      for (const spec of FUNCTIONS) {
        if (spec.trigger.kind !== 'schedule') continue;
        const timer = setInterval(() => {
          runSchedule(spec.name).catch((error: unknown) => log(`schedule ${spec.name} failed: ${String(error)}`));
        }, spec.trigger.rateMinutes * 60_000);
        timer.unref();
        stopActions.push(async () => clearInterval(timer));
      }
    }

    timers.start();
    stopActions.push(() => timers.stop());

    await runner.warmAll();
    const devToken = await issuer.mintToken(DEV_TENANT_ID);
    return {
      url,
      port,
      issuer,
      devTenantId: DEV_TENANT_ID,
      devToken,
      bus,
      queues,
      deadLetterQueues,
      dynamo,
      runner,
      sandbox,
      clock,
      timers,
      runSchedule,
      async stop() {
        for (const action of stopActions.reverse()) await action().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const action of stopActions.reverse()) await action().catch(() => undefined);
    throw error;
  }
}
