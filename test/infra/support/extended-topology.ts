import type { FunctionPermissions, FunctionSpec } from '../../../infra/topology.ts';
import { PROJECT_TOPOLOGY, type Topology } from '../../../infra/constructs/topology-input.ts';

const none: FunctionPermissions = { table: 'none', sendTo: [], deadLetterTo: [], publishEvents: false, kms: 'none', providerSecrets: false };

/**
 * The project topology plus one function of every trigger kind, an event route with prefix and exact types,
 * and every permission: the invariants must hold for what the topology will grow into, not only for what
 * it holds today (the entries are never bundled: these tests synthesize placeholder code).
 */
const EXTRA_FUNCTIONS: FunctionSpec[] = [
  {
    name: 'fixture-sync-worker',
    entry: 'functions/fixture-sync-worker/handler.ts',
    description: 'Fixture: queue consumer with every permission',
    memoryMb: 1024,
    timeoutSeconds: 120,
    trigger: { kind: 'queue', queue: 'sync', batchSize: 10, maxBatchingWindowSeconds: 2, maxConcurrency: 5 },
    permissions: { table: 'readwrite', sendTo: ['webhook-delivery'], deadLetterTo: ['sync'], publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'fixture-webhook-delivery',
    entry: 'functions/fixture-webhook-delivery/handler.ts',
    description: 'Fixture: queue consumer that reads only',
    memoryMb: 256,
    timeoutSeconds: 20,
    trigger: { kind: 'queue', queue: 'webhook-delivery', batchSize: 5, maxBatchingWindowSeconds: 0 },
    permissions: { ...none, table: 'read', deadLetterTo: ['webhook-delivery'] },
  },
  {
    name: 'fixture-sync-scheduler',
    entry: 'functions/fixture-sync-scheduler/handler.ts',
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
