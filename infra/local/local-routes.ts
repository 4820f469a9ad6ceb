import type { IncomingMessage, ServerResponse } from 'node:http';
import { TenantId } from '../../shared/domain/tenant.ts';
import type { QueueName } from '../../shared/ports/job-queue.ts';
import type { FunctionRunner } from './function-runner.ts';
import type { LocalEventBus } from './local-event-bus.ts';
import type { LocalIssuer } from './local-issuer.ts';
import type { InProcessOneTimeScheduler } from '../../shared/messaging/in-process-one-time-scheduler.ts';
import type { LocalClock } from './local-clock.ts';
import { handleTimeRoute } from './time-routes.ts';
import type { LocalQueue } from './local-queue.ts';
import { handleConsoleRoute } from './console-route.ts';
import { handleSandboxRoute } from './sandbox-routes.ts';
import { notifySandbox } from './sandbox-notify.ts';

interface LocalRouteContext {
  issuer: LocalIssuer;
  bus: LocalEventBus;
  queues: Record<QueueName, LocalQueue<unknown>>;
  deadLetterQueues: Record<QueueName, LocalQueue<unknown>>;
  runner: FunctionRunner;
  clock?: LocalClock;
  timers?: InProcessOneTimeScheduler;
}

function json(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
  return true;
}

/**
 * Paths that exist only in the local stack (never in AWS): the development issuer's JWKS and a token
 * endpoint for any tenant, and read-only views of the bus and queues for debugging.
 */
export const localRoutes = {
  context: null as LocalRouteContext | null,

  configure(context: LocalRouteContext): void {
    this.context = context;
  },

  async handle(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<boolean> {
    const context = this.context;
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!context) return false;
    if (request.method === 'GET' && url.pathname === '/.well-known/jwks.json') return json(response, 200, context.issuer.jwks);
    if (request.method === 'POST' && url.pathname === '/local/tokens') {
      let tenantId: unknown;
      try {
        tenantId = (JSON.parse(body.toString('utf8') || '{}') as { tenantId?: unknown }).tenantId;
      } catch {
        return json(response, 400, { type: 'about:blank', title: 'Invalid request', status: 400, detail: 'body: not valid JSON', errors: [{ field: 'body', message: 'not valid JSON' }] });
      }
      const parsed = TenantId.safeParse(tenantId);
      if (!parsed.success) {
        return json(response, 400, { type: 'about:blank', title: 'Invalid request', status: 400, detail: 'body.tenantId: a tenant id is required', errors: [{ field: 'body.tenantId', message: 'letters, digits and . _ : @ | - only, 1-128 characters' }] });
      }
      return json(response, 200, { tenantId: parsed.data, token: await context.issuer.mintToken(parsed.data) });
    }
    if (request.method === 'GET' && url.pathname === '/local/events') {
      const type = url.searchParams.get('type');
      const events = context.bus.published.filter((event) => !type || event.type === type).slice(-200);
      return json(response, 200, { items: events });
    }
    if (request.method === 'GET' && url.pathname === '/local/queues') {
      const queues = Object.fromEntries(
        Object.entries(context.queues).map(([name, queue]) => [name, { depth: queue.depth, delivered: queue.deliveredCount, deadLetters: context.deadLetterQueues[name as QueueName].depth }]),
      );
      return json(response, 200, { queues, invocations: Object.fromEntries(context.runner.invocations) });
    }
    if (request.method === 'GET' && url.pathname === '/local/outbox') {
      // Every message of every channel the local stack accepted (email also went to the local SES).
      const channel = url.searchParams.get('channel');
      const items = (notifySandbox.outbox?.messages ?? []).filter((message) => !channel || message.channel === channel).slice(-500);
      return json(response, 200, { items });
    }
    if (url.pathname.startsWith('/local/sandbox/')) return handleSandboxRoute(request, body, response);
    if ((url.pathname === '/local/clock' || url.pathname === '/local/timers') && context.clock && context.timers) return handleTimeRoute(request, body, response, { clock: context.clock, timers: context.timers });
    if (url.pathname === '/console' || url.pathname.startsWith('/console/')) return handleConsoleRoute(request, response);
    return false;
  },
};
