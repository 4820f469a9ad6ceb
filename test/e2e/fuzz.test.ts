import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../shared/api/index.ts';
import type { RouteContract } from '../../shared/runtime/http/route.ts';
import { eventually } from '../support/eventually.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * Reliability scenario 17: random input to every route of the API (taken from the route table, so a new
 * route is fuzzed without touching this file) and to the inbound pushes, through the real local stack.
 * Whatever arrives, the answer is never a 5xx, every 4xx is an RFC 9457 problem, and a 400 names the field
 * (`body…`, `query…`, `path…`, `header…`). Valid ids of a real connection, calendar and schedule are mixed in
 * so the fuzz reaches past the 404s into the validation of bodies that belong to something.
 */
let stack: TestStack;
const knownIds: string[] = [];

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  stack = await startTestStack({ sandbox: 'on' });
  const authorize = await stack.api('/v1/connections/google/authorize', { method: 'POST', body: '{}' });
  const { authorizationUrl } = (await authorize.json()) as { authorizationUrl: string };
  const consent = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
  const connectionId = ((await callback.json()) as { connection: { id: string } }).connection.id;
  const calendars = await eventually(async () => {
    const list = ((await (await stack.api(`/v1/connections/${connectionId}/calendars`)).json()) as { items: { id: string; lastSyncedAt: string | null }[] }).items;
    return list.length > 0 && list.every((c) => c.lastSyncedAt) ? list : null;
  }, 60_000);
  const window = `start=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&end=${new Date(Date.now() + 30 * 86_400_000).toISOString()}`;
  const listing = (await (await stack.api(`/v1/calendars/${calendars[0]!.id}/events?${window}`)).json()) as { items?: { id: string }[] };
  const events = listing.items ?? [];
  expect(events.length, JSON.stringify(listing).slice(0, 300)).toBeGreaterThan(0);
  const schedule = (await (
    await stack.api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Fuzz', timeZone: 'UTC', weekly: [{ day: 'mon', start: '09:00', end: '17:00' }] }) })
  ).json()) as { id: string };
  knownIds.push(connectionId, ...calendars.map((c) => c.id), ...events.slice(0, 2).map((e) => e.id), schedule.id);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

type Schema = { _zod?: { def?: Record<string, unknown> } } | undefined;

/** Top-level field names of a zod object schema, looking through optional/pipe/union wrappers. */
function fieldNames(schema: Schema, depth = 0): string[] {
  const def = schema?._zod?.def;
  if (!def || depth > 6) return [];
  if (def.type === 'object') return Object.keys(def.shape as object);
  const inner = (def.innerType ?? def.in ?? def.schema) as Schema;
  if (inner) return fieldNames(inner, depth + 1);
  if (Array.isArray(def.options)) return [...new Set((def.options as Schema[]).flatMap((option) => fieldNames(option, depth + 1)))];
  return [];
}

const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '..', '../..', '%00', '%2F', '\u0000', 'null', 'true', '-1', '0', '1e309', 'NaN', '2026-02-30T25:61:00Z', '2027-03-28T02:30:00', 'Europe/Nowhere', 'x'.repeat(5000), '<script>', "' OR 1=1 --", '{"a":1}', 'http://169.254.169.254/'),
);
const pathSegment = fc.oneof({ weight: 3, arbitrary: nastyString.filter((s) => s.length > 0) }, { weight: 2, arbitrary: fc.constant('') }).chain((s) => (s === '' ? fc.constantFrom(...(knownIds.length ? knownIds : ['x'])) : fc.constant(s)));
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(jsonValue, nastyString, fc.integer(), fc.double(), fc.constant(null), fc.array(nastyString, { maxLength: 3 }), fc.constantFrom(...['2027-01-04T09:00:00Z', 'mon', 'UTC', 'google_meet', 'collective', 'round_robin', 30, 15]));

function bodyFor(route: RouteContract): fc.Arbitrary<string | undefined> {
  const names = fieldNames(route.body as Schema);
  const shaped = names.length ? fc.dictionary(fc.constantFrom(...names, 'unknownField'), fieldValue, { maxKeys: names.length + 1 }).map((o) => JSON.stringify(o)) : fc.constant('{}');
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 2, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[]', 'null', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function queryFor(route: RouteContract): fc.Arbitrary<string> {
  const names = fieldNames(route.query as Schema);
  const key = names.length ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })) : fc.string({ maxLength: 8 });
  return fc.array(fc.tuple(key, fc.oneof(nastyString, fc.constantFrom('2027-01-04T00:00:00Z', '2027-01-11T00:00:00Z', ...knownIds))), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString());
}

const headerArb = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
    'idempotency-key': fc.oneof(fc.string({ maxLength: 300 }), fc.constant('k'.repeat(256))),
    'x-goog-channel-id': nastyString,
    'x-goog-resource-state': fc.constantFrom('sync', 'exists', 'not_exists', 'bogus', ''),
    'x-goog-message-number': fc.oneof(fc.constant('-5'), fc.constant('99999999999999999999'), nastyString),
    'x-goog-channel-token': nastyString,
    authorization: fc.constantFrom('Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer ', 'bearer a.b.c'),
  },
  { requiredKeys: [] },
);

function asciiHeaders(headers: Record<string, string>): Record<string, string> {
  // fetch refuses header values outside Latin-1 before anything is sent; keep what a client can send.
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => /^[\x20-\x7e]*$/.test(value)));
}

async function expectWellFormedAnswer(route: RouteContract, response: Response, request: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${request} → ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status < 400) return;
  expect(response.headers.get('content-type') ?? '', `${request} → ${response.status} content-type`).toContain('application/problem+json');
  const problem = JSON.parse(text) as { status?: number; title?: string; code?: string; errors?: { field: string; message: string }[] };
  expect(problem.status, request).toBe(response.status);
  expect(typeof problem.title, request).toBe('string');
  if (response.status === 400 && route.auth === 'jwt') {
    expect(problem.errors?.length ?? 0, `${request}: a 400 names the offending field: ${text.slice(0, 300)}`).toBeGreaterThan(0);
    for (const error of problem.errors ?? []) expect(error.field, request).toMatch(/^(body|query|path|params|header)/);
  }
}

const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 60);

describe('fuzzing every route through the local stack (reliability scenario 17)', () => {
  const routes = API_ROUTES.filter((route) => route.operationId !== 'getOpenApi');

  it('knows the route table (the fuzz covers what is served)', () => {
    expect(routes.length).toBeGreaterThan(30);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path}: no 5xx, problem+json 4xx, 400 names a field`, async () => {
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      await fc.assert(
        fc.asyncProperty(fc.array(pathSegment, { minLength: params.length, maxLength: params.length }), queryFor(route), bodyFor(route), headerArb, fc.boolean(), async (segments, query, body, headers, authenticated) => {
          let pathname = route.path;
          params.forEach((name, index) => {
            pathname = pathname.replace(`{${name}}`, encodeURIComponent(segments[index]!));
          });
          const url = `${pathname}${query ? `?${query}` : ''}`;
          const sendBody = route.method !== 'GET' && body !== undefined;
          const fuzzedHeaders = asciiHeaders(headers);
          // Mostly with the real token, so the fuzz gets past the authorizer; sometimes with the fuzzed one.
          if (authenticated || route.auth === 'none') delete fuzzedHeaders.authorization;
          const response = await stack.api(url, {
            method: route.method,
            headers: fuzzedHeaders,
            ...(sendBody ? { body } : {}),
            token: authenticated || !fuzzedHeaders.authorization ? undefined : null,
          });
          await expectWellFormedAnswer(route, response, `${route.method} ${url.slice(0, 200)} body=${String(body).slice(0, 200)}`);
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    }, 120_000);
  }
});

describe('fuzzing every inbound queue message (reliability scenario 17, the queue side)', () => {
  const queueNames = ['sync', 'webhook-fanout', 'webhook-delivery'] as const;
  const garbage = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom('tenantId', 'calendarId', 'connectionId', 'reason', 'deliveryId', 'endpointId', 'detail', 'detail-type', 'id', 'unknown'), fieldValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  );

  for (const name of queueNames) {
    it(`${name}: random bodies are either handled or dead-lettered, none stays, and the stack keeps serving`, async () => {
      const queue = stack.queues[name];
      const deadLetters = stack.deadLetterQueues[name];
      deadLetters.drain();
      const bodies = fc.sample(garbage, 40);
      // Bodies that are not JSON objects can never be a job: they must end in the dead-letter queue.
      const poison = bodies.filter((body) => {
        try {
          const value: unknown = JSON.parse(body);
          return value === null || typeof value !== 'object' || Array.isArray(value);
        } catch {
          return true;
        }
      });
      for (const body of bodies) queue.sendRaw(body);
      await eventually(async () => (queue.peekBodies().length === 0 ? true : null), 60_000);
      const deadLettered = deadLetters.drain();
      for (const body of poison) expect(deadLettered, `poison ${JSON.stringify(body)} reached the dead-letter queue`).toContain(body);
      expect(poison.length).toBeGreaterThan(0);
      expect((await stack.api('/health')).status).toBe(200);
      expect((await stack.api('/v1/connections')).status).toBe(200);
    }, 90_000);
  }
});
