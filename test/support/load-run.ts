import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sandboxSimulators } from '../../infra/local/sandbox-google.ts';
import { microsoftSandbox } from '../../infra/local/sandbox-microsoft.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { runtimeOverrides, setRuntimeOverrides } from '../../shared/runtime/deps/overrides.ts';
import { startWebhookReceiver } from '../simulators/webhook-receiver/receiver.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { startRadicale } from './radicale.ts';

/**
 * The scale run of issue 10 §12, on the whole local stack over loopback: connections across the three
 * providers (Google and Graph simulators, a real Radicale), a burst of provider changes whose pushes arrive
 * within `burstSeconds`, then a scheduler round over every calendar. It counts what the product did —
 * provider calls, DynamoDB requests (through a counting proxy), Lambda invocations, queue depth over time —
 * and checks the promise: every change became exactly one domain event and one delivery per endpoint.
 * Bounded: every wait has a deadline, nothing leaves 127.0.0.1.
 */
export interface LoadOptions {
  google: number;
  microsoft: number;
  caldav: number;
  /** Changes made at Google and Graph during the burst (each one push). */
  pushChanges: number;
  /** Changes made in Radicale (no push: the scheduler round must find them). */
  caldavChanges: number;
  burstSeconds: number;
  /** Connections made at once. */
  connectConcurrency?: number;
  log?: (line: string) => void;
}

export interface DynamoCounts {
  requests: Record<string, number>;
  /** Rough capacity: request bytes / 1 KB for writes, response bytes / 4 KB for reads (ceil per request). */
  writeUnits: number;
  readUnits: number;
}

/** What one phase cost: provider HTTP calls, DynamoDB requests and rough units, Lambda invocations. */
export interface PhaseCost {
  providerCalls: { google: number; graph: number; caldav: number };
  dynamo: DynamoCounts;
  invocations: Record<string, number>;
}

export interface LoadReport {
  /** The burst (pushed changes until every queue was idle) and the scheduler round, counted apart. */
  phases: { burst: PhaseCost; round: PhaseCost };
  connections: { google: number; microsoft: number; caldav: number; seconds: number };
  burst: { changes: number; seconds: number; settledSeconds: number };
  schedulerRound: { calendars: number; seconds: number };
  providerCalls: { google: number; graph: number; caldav: number };
  dynamo: DynamoCounts;
  invocations: Record<string, number>;
  queueDepth: { atSecond: number; sync: number; fanout: number; delivery: number }[];
  events: { expected: number; domainEvents: number; lost: number; duplicates: number; unexpected: number };
  deliveries: { expected: number; received: number; lost: number; duplicateIds: number };
  deadLettered: number;
}

interface CountingProxy {
  url: string;
  counts: DynamoCounts;
  reset(): void;
  stop(): Promise<void>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** An HTTP proxy in front of DynamoDB Local that counts operations (X-Amz-Target) and bytes. */
async function startDynamoCounter(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const counts: DynamoCounts = { requests: {}, writeUnits: 0, readUnits: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(request.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
      counts.requests[operation] = (counts.requests[operation] ?? 0) + 1;
      if (!READS.has(operation) && operation !== 'DescribeTable' && operation !== 'CreateTable') counts.writeUnits += Math.max(1, Math.ceil(body.length / 1024));
      const upstreamRequest = http.request(
        { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers, agent },
        (upstreamResponse) => {
          const answer: Buffer[] = [];
          upstreamResponse.on('data', (chunk: Buffer) => answer.push(chunk));
          upstreamResponse.on('end', () => {
            const bytes = Buffer.concat(answer);
            if (READS.has(operation)) counts.readUnits += Math.max(1, Math.ceil(bytes.length / 4096));
            response.writeHead(upstreamResponse.statusCode ?? 500, upstreamResponse.headers);
            response.end(bytes);
          });
        },
      );
      upstreamRequest.on('error', () => {
        response.writeHead(502);
        response.end();
      });
      upstreamRequest.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    reset() {
      counts.requests = {};
      counts.writeUnits = 0;
      counts.readUnits = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function minus(after: PhaseCost, before: PhaseCost): PhaseCost {
  const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([key, value]) => [key, value - (b[key] ?? 0)]).filter(([, value]) => value !== 0));
  return {
    providerCalls: { google: after.providerCalls.google - before.providerCalls.google, graph: after.providerCalls.graph - before.providerCalls.graph, caldav: after.providerCalls.caldav - before.providerCalls.caldav },
    dynamo: { requests: diff(after.dynamo.requests, before.dynamo.requests), writeUnits: after.dynamo.writeUnits - before.dynamo.writeUnits, readUnits: after.dynamo.readUnits - before.dynamo.readUnits },
    invocations: diff(after.invocations, before.invocations),
  };
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`load run: ${what} not reached within ${timeoutMs} ms`);
}

const ENV = {
  ALLOW_INSECURE_WEBHOOK_URLS: '1',
  // Every calendar is due a minute after its last sync, so the scheduler round after the burst covers all.
  SYNC_INTERVAL_MINUTES: '1',
  CALDAV_POLL_INTERVAL_MINUTES: '1',
};

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const saved = Object.fromEntries(Object.keys(ENV).map((name) => [name, process.env[name]]));
  Object.assign(process.env, ENV);
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  const stops: (() => Promise<void>)[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ci-load-'));
  stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  try {
    const caldavUsers = Array.from({ length: options.caldav }, (_, i) => `load-c${i}`);
    const radicale = await startRadicale({ users: Object.fromEntries(caldavUsers.map((name) => [name, `pw-${name}`])) });
    stops.push(() => radicale.stop());
    const caldavCounter = await startFaultProxy(radicale.url);
    stops.push(() => caldavCounter.stop());
    let dynamo: CountingProxy | undefined;
    const stack: LocalStack = await startLocalStack({
      port: 0,
      dataDir,
      schedules: false,
      sandbox: 'on',
      log: () => {},
      wrapDynamoEndpoint: async (endpoint) => {
        dynamo = await startDynamoCounter(endpoint);
        return dynamo.url;
      },
    });
    stops.push(() => stack.stop());
    stops.push(async () => dynamo?.stop());
    const receiver = await startWebhookReceiver();
    stops.push(() => receiver.stop());
    const api = (pathname: string, init: RequestInit = {}) =>
      fetch(`${stack.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${stack.devToken}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
    const json = async <T>(response: Response, what: string): Promise<T> => {
      if (!response.ok) throw new Error(`load run: ${what} → ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };

    await json<{ id: string }>(
      await api('/v1/webhook-endpoints', { method: 'POST', body: JSON.stringify({ url: receiver.url, eventTypes: ['calendar.event.created', 'calendar.event.updated', 'calendar.event.deleted'] }) }),
      'create webhook endpoint',
    );

    const google = sandboxSimulators.google!;
    const graph = microsoftSandbox.simulator!;
    const googleUsers = Array.from({ length: options.google }, (_, i) => `load-g${i}@example.com`);
    const graphUsers = Array.from({ length: options.microsoft }, (_, i) => `load-m${i}@contoso.example`);
    for (const email of googleUsers) google.createUser({ email, timeZone: 'Europe/Berlin' });
    for (const mail of graphUsers) graph.addUser({ mail, displayName: mail, timeZone: 'W. Europe Standard Time' });
    const collections = new Map<string, string>();
    await inParallel(caldavUsers, 4, async (name) => {
      collections.set(name, await radicale.user(name).makeCalendar('home', { name: 'Home', timeZone: 'Europe/Berlin' }));
    });

    const connectStarted = Date.now();
    const oauthConnect = async (provider: 'google' | 'microsoft', loginHint: string) => {
      const { authorizationUrl } = await json<{ authorizationUrl: string }>(await api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: JSON.stringify({ loginHint }) }), `${provider} authorize`);
      const consent = await fetch(authorizationUrl, { redirect: 'manual' });
      const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
      await json(callback, `${provider} callback for ${loginHint}`);
    };
    const work: (() => Promise<void>)[] = [
      ...googleUsers.map((email) => () => oauthConnect('google', email)),
      ...graphUsers.map((mail) => () => oauthConnect('microsoft', mail)),
      ...caldavUsers.map((name) => async () => {
        await json(await api('/v1/connections/caldav', { method: 'POST', body: JSON.stringify({ serverUrl: `${caldavCounter.url}/`, username: name, password: `pw-${name}` }) }), `caldav connect ${name}`);
      }),
    ];
    await inParallel(work, options.connectConcurrency ?? 6, async (connect) => connect());
    const idle = async (timeoutMs: number) => {
      for (const name of ['sync', 'webhook-fanout', 'webhook-delivery'] as const) await stack.queues[name].waitUntilIdle(timeoutMs, 1_000);
    };
    await idle(600_000);
    await google.flushPushes();
    await graph.flush();
    await idle(600_000);
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    log(`connected ${work.length} accounts in ${connectSeconds.toFixed(1)} s`);

    // From here on we count.
    dynamo!.reset();
    for (const name of stack.runner.invocations.keys()) stack.runner.invocations.set(name, 0);
    google.stats.reset();
    graph.resetCounters();
    const caldavCallsBefore = caldavCounter.log.length;
    const deliveriesBefore = receiver.deliveries.length;
    const deadBefore = Object.values(stack.deadLetterQueues).reduce((sum, queue) => sum + queue.peekBodies().length, 0);
    const snapshot = (): PhaseCost => ({
      providerCalls: { google: google.stats.total(), graph: Object.values(graph.counters()).reduce((sum, n) => sum + n, 0), caldav: caldavCounter.log.length - caldavCallsBefore },
      dynamo: structuredClone(dynamo!.counts),
      invocations: Object.fromEntries([...stack.runner.invocations].filter(([, count]) => count > 0)),
    });
    const changeEvents: DomainEvent[] = [];
    const unsubscribe = stack.bus.subscribe((event) => {
      if (event.type.startsWith('calendar.event.')) changeEvents.push(event);
    });
    const started = Date.now();
    const queueDepth: LoadReport['queueDepth'] = [];
    const sampler = setInterval(() => {
      queueDepth.push({
        atSecond: Math.round((Date.now() - started) / 1000),
        sync: stack.queues.sync.peekBodies().length,
        fanout: stack.queues['webhook-fanout'].peekBodies().length,
        delivery: stack.queues['webhook-delivery'].peekBodies().length,
      });
    }, 1_000);

    // The burst: new events at Google and Graph, spread evenly over the burst window (one push each).
    const expected = new Set<string>();
    const googleCalendars = googleUsers.map((email) => google.calendars(email).find((c) => c.primary)!.id);
    const graphCalendars = graphUsers.map((mail) => graph.user(mail).defaultCalendarId);
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const burstStarted = Date.now();
    for (let i = 0; i < options.pushChanges; i++) {
      const dueAt = burstStarted + (i / options.pushChanges) * options.burstSeconds * 1000;
      if (dueAt > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now()));
      const minute = String(i % 60).padStart(2, '0');
      const hour = String(8 + (Math.floor(i / 60) % 10)).padStart(2, '0');
      if (i % 2 === 0 && googleCalendars.length) {
        const calendarId = googleCalendars[(i / 2) % googleCalendars.length]!;
        const created = google.insertEvent(calendarId, { summary: `Load ${i}`, start: { dateTime: `${day}T${hour}:${minute}:00Z` }, end: { dateTime: `${day}T${hour}:${minute}:30Z` } });
        expected.add(created.id);
      } else if (graphCalendars.length) {
        const calendarId = graphCalendars[Math.floor(i / 2) % graphCalendars.length]!;
        const created = graph.createEvent(calendarId, { subject: `Load ${i}`, start: { dateTime: `${day}T${hour}:${minute}:00`, timeZone: 'UTC' }, end: { dateTime: `${day}T${hour}:${minute}:30`, timeZone: 'UTC' } });
        expected.add(created.id);
      }
    }
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    await google.flushPushes();
    await graph.flush();
    await idle(600_000);
    const burstCost = snapshot();
    const settledSeconds = (Date.now() - burstStarted) / 1000;
    log(`burst of ${options.pushChanges} changes in ${burstSeconds.toFixed(1)} s, settled after ${settledSeconds.toFixed(1)} s`);

    // Changes at Radicale have no push: the scheduler round finds them.
    await inParallel(
      Array.from({ length: options.caldavChanges }, (_, i) => i),
      4,
      async (i) => {
        const name = caldavUsers[i % caldavUsers.length]!;
        const uid = `load-caldav-${i}@example.com`;
        const stamp = `${day.replaceAll('-', '')}T${String(8 + (i % 10)).padStart(2, '0')}0000Z`;
        await radicale.user(name).put(collections.get(name)!, `${uid}.ics`, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//load//EN', 'BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`, `DTSTART:${stamp}`, 'DURATION:PT30M', `SUMMARY:Load CalDAV ${i}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
        expected.add(uid);
      },
    );
    // Every calendar is due a minute after its last sync: run the handlers two minutes ahead (a compressed
    // clock, the simulators keep real time) and do one scheduler round over all of them.
    setRuntimeOverrides({ clock: { now: () => new Date(Date.now() + 120_000) } });
    const roundStarted = Date.now();
    const round = (await stack.runSchedule('sync-scheduler')) as { due?: number } | undefined;
    await idle(600_000);
    const roundSeconds = (Date.now() - roundStarted) / 1000;
    const roundCost = minus(snapshot(), burstCost);
    const scheduledCalendars = round?.due ?? 0;
    await until('all deliveries', () => receiver.deliveries.length - deliveriesBefore >= changeEvents.length, 120_000).catch(() => undefined);
    clearInterval(sampler);
    unsubscribe();

    const perProviderEvent = new Map<string, number>();
    let unexpected = 0;
    for (const event of changeEvents) {
      const data = event.data as { event: { providerEventId: string; iCalUID?: string | null } };
      const key = expected.has(data.event.providerEventId) ? data.event.providerEventId : data.event.iCalUID && expected.has(data.event.iCalUID) ? data.event.iCalUID : null;
      if (!key || event.type !== 'calendar.event.created') unexpected++;
      else perProviderEvent.set(key, (perProviderEvent.get(key) ?? 0) + 1);
    }
    const distinctEventIds = new Set(changeEvents.map((event) => event.id));
    const received = receiver.deliveries.slice(deliveriesBefore).filter((delivery) => delivery.answered !== 'hang' && delivery.answered < 300);
    const receivedEventIds = new Map<string, number>();
    for (const delivery of received) {
      // The webhook-id of a delivery is the domain event's id (Standard Webhooks: the receiver's dedupe key).
      const id = delivery.webhookId ?? '';
      receivedEventIds.set(id, (receivedEventIds.get(id) ?? 0) + 1);
    }
    const deadAfter = Object.values(stack.deadLetterQueues).reduce((sum, queue) => sum + queue.peekBodies().length, 0);

    return {
      phases: { burst: burstCost, round: roundCost },
      connections: { google: options.google, microsoft: options.microsoft, caldav: options.caldav, seconds: connectSeconds },
      burst: { changes: options.pushChanges, seconds: burstSeconds, settledSeconds },
      schedulerRound: { calendars: scheduledCalendars, seconds: roundSeconds },
      providerCalls: { google: google.stats.total(), graph: Object.values(graph.counters()).reduce((sum, n) => sum + n, 0), caldav: caldavCounter.log.length - caldavCallsBefore },
      dynamo: structuredClone(dynamo!.counts),
      invocations: Object.fromEntries([...stack.runner.invocations].filter(([, count]) => count > 0)),
      queueDepth,
      events: {
        expected: expected.size,
        domainEvents: changeEvents.length,
        lost: [...expected].filter((id) => !perProviderEvent.has(id)).length,
        duplicates: [...perProviderEvent.values()].filter((count) => count > 1).length + (changeEvents.length - distinctEventIds.size),
        unexpected,
      },
      deliveries: {
        expected: distinctEventIds.size,
        received: receivedEventIds.size,
        lost: [...distinctEventIds].filter((id) => !receivedEventIds.has(id)).length,
        duplicateIds: [...receivedEventIds.values()].filter((count) => count > 1).length,
      },
      deadLettered: deadAfter - deadBefore,
    };
  } finally {
    delete runtimeOverrides.clock;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
