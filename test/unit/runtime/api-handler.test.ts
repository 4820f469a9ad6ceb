import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { AppError } from '../../../shared/domain/app-error.ts';
import { createApiHandler, type ApiHandler } from '../../../shared/runtime/http/api-handler.ts';
import { logger } from '../../../shared/runtime/logger.ts';
import { createTokenVerifier } from '../../../shared/runtime/http/jwt-auth.ts';
import { bindRoute, defineRoute } from '../../../shared/runtime/http/route.ts';
import { apiEvent, testContext } from '../../support/api-event.ts';
import { startTestIssuer, type TestIssuer } from '../../support/jwt.ts';

const echoRoute = defineRoute({
  operationId: 'echo',
  method: 'POST',
  path: '/v1/things/{id}',
  function: 'test',
  auth: 'jwt',
  summary: 'echo',
  tags: ['test'],
  params: z.object({ id: z.string().check(z.regex(/^t_\d+$/)) }),
  query: z.object({ limit: z._default(z.coerce.number(), 10) }),
  body: z.strictObject({ name: z.string().check(z.minLength(1)), tags: z.optional(z.array(z.string().check(z.maxLength(3)))) }),
  responses: { 200: { description: 'ok' } },
});
const publicRoute = defineRoute({ operationId: 'pub', method: 'GET', path: '/public', function: 'test', auth: 'none', summary: 'p', tags: [], responses: { 200: { description: 'ok' } } });
const failingRoute = defineRoute({ operationId: 'boom', method: 'GET', path: '/boom/{kind}', function: 'test', auth: 'none', summary: 'b', tags: [], params: z.object({ kind: z.string() }), responses: {} });

let issuer: TestIssuer;
let handler: ApiHandler;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const verifier = createTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, tenantClaim: 'tenant_id' });
  handler = createApiHandler({
    verifier: () => verifier,
    routes: [
      bindRoute(echoRoute, async (request) => ({ status: 200, body: { tenantId: request.tenantId, params: request.params, query: request.query, body: request.body } })),
      bindRoute(publicRoute, async () => ({ status: 200, body: { ok: true } })),
      bindRoute(failingRoute, async ({ params }) => {
        if (params.kind === 'app') throw new AppError('resource.not_found', 'Widget not found');
        throw new Error('database password=hunter2 exploded at 10.0.0.7');
      }),
    ],
  });
});
afterAll(() => issuer.close());

const post = (token: string | null, body: unknown, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
  handler(
    apiEvent({
      method: 'POST',
      path: '/v1/things/t_1',
      routeKey: 'POST /v1/things/{id}',
      pathParameters: { id: 't_1' },
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...extra,
    }),
    testContext,
  );

const problem = (result: Awaited<ReturnType<ApiHandler>>) => JSON.parse(result.body ?? '{}') as { status: number; errors?: { field: string }[]; detail?: string; code?: string };

describe('API handler stack', () => {
  it('passes a valid token, params, query and body to the route with the tenant from the claim', async () => {
    const token = await issuer.sign({ tenant_id: 'acme', sub: 'u1' });
    const result = await post(token, { name: 'x' }, { query: { limit: '5' } });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toEqual({ tenantId: 'acme', params: { id: 't_1' }, query: { limit: 5 }, body: { name: 'x' } });
  });

  it.each([
    ['no token', async () => null],
    ['an expired token', () => issuer.sign({ tenant_id: 'acme' }, { expiresIn: '-10m' })],
    ['a token for another audience', () => issuer.sign({ tenant_id: 'acme' }, { audience: 'someone-else' })],
    ['a token from another issuer', () => issuer.sign({ tenant_id: 'acme' }, { issuer: 'https://evil.test/' })],
    ['a token signed by an unknown key', () => issuer.sign({ tenant_id: 'acme' }, { key: 'foreign' })],
    ['garbage', async () => 'not-a-jwt'],
  ])('answers 401 problem+json for %s', async (_name, makeToken) => {
    const result = await post(await makeToken(), { name: 'x' });
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(result.headers?.['www-authenticate']).toBe('Bearer');
    expect(problem(result).code).toBe('auth.unauthenticated');
  });

  it.each([
    ['no tenant claim', {}],
    ['a tenant id with the key separator', { tenant_id: 'a#b' }],
  ])('answers 403 for a valid token with %s', async (_name, claims) => {
    const result = await post(await issuer.sign(claims), { name: 'x' });
    expect(result.statusCode).toBe(403);
    expect(problem(result).code).toBe('auth.forbidden');
  });

  it.each([
    ['a bad path parameter', { pathParameters: { id: 'nope' } }, {}, 'params.id'],
    ['a bad query value', { query: { limit: 'many' } }, { name: 'x' }, 'query.limit'],
    ['a missing body field', {}, {}, 'body.name'],
    ['a wrong nested type', {}, { name: 'x', tags: ['toolong'] }, 'body.tags[0]'],
    ['an unknown body field', {}, { name: 'x', nmae: 'typo' }, 'body.nmae'],
    ['malformed JSON', {}, '{"name":', 'body'],
  ])('answers 400 naming the field for %s', async (_name, extra, body, field) => {
    const token = await issuer.sign({ tenant_id: 'acme' });
    const result = await post(token, body, extra);
    expect(result.statusCode).toBe(400);
    const details = problem(result);
    expect(details.errors?.map((e) => e.field)).toContain(field);
    expect(details.detail).toContain(field);
  });

  it('maps an AppError to its status and an unknown error to a 500 that reveals nothing', async () => {
    const notFound = await handler(apiEvent({ method: 'GET', path: '/boom/app' }), testContext);
    expect(notFound.statusCode).toBe(404);
    expect(problem(notFound).detail).toBe('Widget not found');

    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const crash = await handler(apiEvent({ method: 'GET', path: '/boom/other' }), testContext);
    stdout.mockRestore();
    expect(crash.statusCode).toBe(500);
    expect(crash.body).not.toContain('hunter2');
    expect(crash.body).not.toContain('10.0.0.7');
  });

  it('serves public routes without a token and 404s unknown routes as problems', async () => {
    expect((await handler(apiEvent({ method: 'GET', path: '/public' }), testContext)).statusCode).toBe(200);
    const missing = await handler(apiEvent({ method: 'GET', path: '/nowhere' }), testContext);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toBe('application/problem+json');
  });

  it('never writes the bearer token or the request body to the logs', async () => {
    const lines: string[] = [];
    logger.setLogLevel('DEBUG');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const token = await issuer.sign({ tenant_id: 'acme' });
    await post(token, { name: 'secret-body-value' });
    await post(token, { name: '' });
    await post(`${token}x`, { name: 'x' });
    stdout.mockRestore();
    logger.setLogLevel('WARN');
    const output = lines.join('');
    expect(output).toContain('http request');
    expect(output).not.toContain(token.split('.')[2]!);
    expect(output).not.toContain('secret-body-value');
  });
});
