import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError, toAppError } from '../../domain/app-error.ts';
import { describeError, logger } from '../logger.ts';
import { parseRequest } from './parse-request.ts';
import { problemFromAppError, problemResponse } from './problem.ts';
import { requestLogging } from './request-logging.ts';
import type { RouteBinding, RouteRequest, RouteResponse } from './route.ts';
import { routeKeyOf } from './route.ts';
import type { TokenVerifier } from './jwt-auth.ts';

export interface ApiHandlerOptions {
  routes: RouteBinding[];
  /** Needed when any route has `auth: 'jwt'`; resolved lazily so public routes need no JWT config. */
  verifier?: () => TokenVerifier;
}

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

function matchTemplate(template: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
}

/** Finds the binding for an event: by API Gateway route key, or by path for `$default` integrations. */
function findRoute(routes: RouteBinding[], event: APIGatewayProxyEventV2): { binding: RouteBinding; params: Record<string, string> | null } | null {
  const byKey = routes.find((route) => routeKeyOf(route.contract) === event.routeKey);
  if (byKey) return { binding: byKey, params: null };
  const method = event.requestContext?.http?.method;
  for (const binding of routes) {
    if (binding.contract.method !== method) continue;
    const params = matchTemplate(binding.contract.path, event.rawPath);
    if (params) return { binding, params };
  }
  return null;
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function toResult(response: RouteResponse): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...response.headers };
  if (response.body === undefined) return { statusCode: response.status, headers };
  if (response.contentType) {
    return { statusCode: response.status, headers: { 'content-type': response.contentType, ...headers }, body: String(response.body) };
  }
  return { statusCode: response.status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(response.body) };
}

/**
 * The handler stack every API function shares: request logging → route match → JWT auth (per route) → zod
 * parsing of path, query and body → the route's use-case call → JSON, with every error mapped once to an
 * RFC 9457 problem. Unknown errors become a 500 that reveals nothing.
 */
export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  let verifier: TokenVerifier | undefined;

  const dispatch = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const found = findRoute(options.routes, event);
    if (!found) throw new AppError('resource.not_found', `No route for ${event.requestContext?.http?.method} ${event.rawPath}`);
    const { binding } = found;
    const headers = lowerCaseHeaders(event.headers);
    let tenantId: string | null = null;
    if (binding.contract.auth === 'jwt') {
      if (!options.verifier) throw new AppError('config.invalid', 'JWT route without a token verifier');
      verifier ??= options.verifier();
      tenantId = (await verifier(headers.authorization)).tenantId;
    }
    const withParams = found.params ? { ...event, pathParameters: { ...found.params, ...event.pathParameters } } : event;
    const input = parseRequest(binding.contract, withParams);
    const request: RouteRequest<typeof binding.contract> = {
      tenantId,
      params: input.params,
      query: input.query,
      body: input.body,
      rawBody: input.rawBody,
      headers,
      requestId: event.requestContext?.requestId ?? '',
      sourceIp: event.requestContext?.http?.sourceIp ?? '',
      rawQuery: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    };
    return toResult(await binding.handle(request));
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>(dispatch)
    .use(requestLogging())
    .use({
      onError: (request) => {
        const error = toAppError(request.error);
        const problem = problemFromAppError(error, request.event.rawPath);
        if (problem.status >= 500) logger.error('request failed', { error: describeError(request.error), code: error.code });
        else logger.info('request rejected', { code: error.code, status: problem.status });
        const headers: Record<string, string> = {};
        if (problem.status === 401) headers['www-authenticate'] = 'Bearer';
        if (error.retryAfterMs && (problem.status === 503 || problem.status === 429)) headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
        request.response = problemResponse(problem, headers);
      },
    }) as unknown as ApiHandler;
}
