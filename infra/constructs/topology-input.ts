import type { QueueName } from '../../shared/ports/job-queue.ts';
import { EVENT_ROUTES, FUNCTIONS, HTTP_ROUTES, QUEUES, type EventRoute, type FunctionSpec, type HttpRouteSpec, type QueueSpec } from '../topology.ts';

/** What the stack is built from. Defaults to infra/topology.ts; tests pass extended copies. */
export interface Topology {
  functions: readonly FunctionSpec[];
  queues: readonly QueueSpec[];
  eventRoutes: readonly EventRoute[];
  httpRoutes: readonly HttpRouteSpec[];
}

export const PROJECT_TOPOLOGY: Topology = { functions: FUNCTIONS, queues: QUEUES, eventRoutes: EVENT_ROUTES, httpRoutes: HTTP_ROUTES };

/** The function triggered by `queue`, if any. */
export function queueConsumer(topology: Topology, queue: QueueName): FunctionSpec | undefined {
  return topology.functions.find((spec) => spec.trigger.kind === 'queue' && spec.trigger.queue === queue);
}

/** Throws on references to things the topology does not define, naming them (a synth-time error beats a deploy-time one). */
export function validateTopology(topology: Topology): void {
  const problems: string[] = [];
  const queues = new Set(topology.queues.map((queue) => queue.name));
  const functions = new Map(topology.functions.map((spec) => [spec.name, spec]));
  if (functions.size !== topology.functions.length) problems.push('function names are not unique');
  if (queues.size !== topology.queues.length) problems.push('queue names are not unique');
  for (const spec of topology.functions) {
    for (const queue of [...spec.permissions.sendTo, ...spec.permissions.deadLetterTo]) {
      if (!queues.has(queue)) problems.push(`${spec.name} sends to unknown queue ${queue}`);
    }
    if ((spec.trigger.kind === 'queue' || spec.trigger.kind === 'dead-letters') && !queues.has(spec.trigger.queue)) problems.push(`${spec.name} consumes unknown queue ${spec.trigger.queue}`);
  }
  for (const queue of topology.queues) {
    const consumers = topology.functions.filter((spec) => spec.trigger.kind === 'queue' && spec.trigger.queue === queue.name);
    if (consumers.length > 1) problems.push(`queue ${queue.name} has ${consumers.length} consumers; one queue, one consumer`);
    const deadLetterConsumers = topology.functions.filter((spec) => spec.trigger.kind === 'dead-letters' && spec.trigger.queue === queue.name);
    if (deadLetterConsumers.length > 1) problems.push(`the dead-letter queue of ${queue.name} has ${deadLetterConsumers.length} consumers`);
  }
  const timerTargets = topology.functions.filter((spec) => spec.trigger.kind === 'timers');
  if (timerTargets.length > 1) problems.push(`${timerTargets.length} functions are booking timer targets; one target only`);
  for (const spec of topology.functions) {
    if (spec.permissions.timers && timerTargets.length === 0) problems.push(`${spec.name} manages booking timers, but no function has trigger 'timers'`);
  }
  for (const route of topology.eventRoutes) {
    if (!queues.has(route.queue)) problems.push(`event route ${route.name} targets unknown queue ${route.queue}`);
    if (route.eventTypes.length === 0) problems.push(`event route ${route.name} matches no event type`);
  }
  for (const route of topology.httpRoutes) {
    const target = functions.get(route.function);
    if (!target) problems.push(`route ${route.routeKey} is served by unknown function ${route.function}`);
    else if (target.trigger.kind !== 'http') problems.push(`route ${route.routeKey} is served by ${route.function}, which is not an http function`);
  }
  if (problems.length > 0) throw new Error(`infra/topology.ts is inconsistent: ${problems.join('; ')}`);
}
