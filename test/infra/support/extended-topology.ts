import type { FunctionPermissions, FunctionSpec } from '../../../infra/topology.ts';
import type { QueueName } from '../../../shared/ports/job-queue.ts';
import { PROJECT_TOPOLOGY, queueConsumer, type Topology } from '../../../infra/constructs/topology-input.ts';

const none: FunctionPermissions = { table: 'none', sendTo: [], deadLetterTo: [], publishEvents: false, kms: 'none', providerSecrets: false };

/**
 * The project topology plus one function of every trigger kind, an event route with prefix and exact types,
 * and every permission: the invariants must hold for what the topology will grow into, not only for what
 * it holds today (the entries are never bundled: these tests synthesize placeholder code). Queue consumers
 * are added only for queues the project does not consume yet (one queue, one consumer).
 */
const unconsumed: QueueName[] = PROJECT_TOPOLOGY.queues.map((queue) => queue.name).filter((name) => !queueConsumer(PROJECT_TOPOLOGY, name));

const queueWorkers: FunctionSpec[] = [
  {
    name: 'fixture-queue-worker-a',
    entry: 'functions/fixture-queue-worker-a/handler.ts',
    description: 'Fixture: queue consumer with every permission',
    memoryMb: 1024,
    timeoutSeconds: 120,
    trigger: { kind: 'queue', queue: 'sync', batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 5 },
    permissions: { table: 'readwrite', sendTo: ['webhook-delivery'], deadLetterTo: ['sync'], publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'fixture-queue-worker-b',
    entry: 'functions/fixture-queue-worker-b/handler.ts',
    description: 'Fixture: queue consumer that reads only',
    memoryMb: 256,
    timeoutSeconds: 20,
    trigger: { kind: 'queue', queue: 'webhook-delivery', batchSize: 5, maxBatchingWindowSeconds: 0 },
    permissions: { ...none, table: 'read', deadLetterTo: ['webhook-delivery'] },
  },
];
const queueFixtures = queueWorkers
  .slice(0, unconsumed.length)
  .map((spec, index): FunctionSpec => (spec.trigger.kind === 'queue' ? { ...spec, trigger: { ...spec.trigger, queue: unconsumed[index]! } } : spec));

const EXTRA_FUNCTIONS: FunctionSpec[] = [
  ...queueFixtures,
  {
    name: 'fixture-scheduler',
    entry: 'functions/fixture-scheduler/handler.ts',
    description: 'Fixture: scheduled function',
    memoryMb: 256,
    timeoutSeconds: 60,
    trigger: { kind: 'schedule', rateMinutes: 5 },
    permissions: { ...none, table: 'read', sendTo: ['sync'] },
  },
  {
    name: 'fixture-hooks',
    entry: 'functions/fixture-hooks/handler.ts',
    description: 'Fixture: public push receiver',
    memoryMb: 256,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'read', sendTo: ['sync'] },
  },
];

export const EXTENDED_TOPOLOGY: Topology = {
  functions: [...PROJECT_TOPOLOGY.functions, ...EXTRA_FUNCTIONS],
  queues: PROJECT_TOPOLOGY.queues,
  eventRoutes: [
    ...PROJECT_TOPOLOGY.eventRoutes,
    { name: 'fixture-connection-events', queue: 'sync', eventTypes: ['connection.*', 'calendar.sync.completed'] },
  ],
  httpRoutes: [
    ...PROJECT_TOPOLOGY.httpRoutes,
    { routeKey: 'POST /hooks/fixture', method: 'POST', path: '/hooks/fixture', function: 'fixture-hooks', auth: 'none' },
    { routeKey: 'GET /v1/fixtures/{id}', method: 'GET', path: '/v1/fixtures/{id}', function: 'fixture-hooks', auth: 'jwt' },
  ],
};

export const TOPOLOGIES: readonly { name: string; topology: Topology }[] = [
  { name: 'project topology', topology: PROJECT_TOPOLOGY },
  { name: 'extended topology', topology: EXTENDED_TOPOLOGY },
];
