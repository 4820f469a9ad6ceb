import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpRouteSpec } from '../topology.ts';

export type LocalRouteHandler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => Promise<boolean>;

const TEXT_TYPES = /^(application\/(json|problem\+json|x-www-form-urlencoded|xml)|text\/)/i;

/**
 * API Gateway's rule: of the routes that match, the most specific wins — compared segment by segment, a
 * literal beats a `{parameter}` (so `POST /v1/connections/zoom/authorize` is not taken by
 * `/v1/connections/{provider}/authorize`, nor `GET /v1/connections/zoom` by `/v1/connections/{id}`).
 */
export function matchRoute(routes: readonly HttpRouteSpec[], method: string, pathname: string): { route: HttpRouteSpec; params: Record<string, string> } | null {
  let best: { route: HttpRouteSpec; params: Record<string, string>; literals: boolean[] } | null = null;
  for (const route of routes) {
    if (route.method !== method) continue;
    const names: string[] = [];
    const pattern = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${pattern}$`).exec(pathname);
    if (!match) continue;
    const literals = route.path.split('/').map((segment) => !segment.startsWith('{'));
    if (best && !moreSpecific(literals, best.literals)) continue;
    best = { route, params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)])), literals };
  }
  return best && { route: best.route, params: best.params };
}

/** True when `a` has a literal at the first segment where the two differ (equal: the earlier route stays). */
function moreSpecific(a: readonly boolean[], b: readonly boolean[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]!;
  return false;
}

/** Builds the API Gateway HTTP API (payload 2.0) event that the deployed stack would deliver. */
export function toApiGatewayEvent(request: IncomingMessage, body: Buffer, route: HttpRouteSpec, params: Record<string, string>): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: request.method ?? 'GET', path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

function writeProblem(response: ServerResponse, status: number, title: string, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

/**
 * The local API Gateway: matches a route, builds the v2 event, invokes the route's function and writes its
 * result. `extra` handles local-only paths first (JWKS, dev tokens, debug views).
 */
export function createLocalHttpServer(options: {
  routes: readonly HttpRouteSpec[];
  invoke: (functionName: string, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  extra?: LocalRouteHandler;
  onError?: (error: unknown) => void;
}): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 10 * 1024 * 1024) request.destroy(); // API Gateway's payload limit
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        try {
          if (options.extra && (await options.extra(request, body, response))) return;
          const url = new URL(request.url ?? '/', 'http://localhost');
          const found = matchRoute(options.routes, request.method ?? 'GET', url.pathname);
          if (!found) return writeProblem(response, 404, 'Not found', `No route for ${request.method} ${url.pathname}`);
          const result = await options.invoke(found.route.function, toApiGatewayEvent(request, body, found.route, found.params));
          writeResult(response, result);
        } catch (error) {
          options.onError?.(error);
          if (!response.headersSent) writeProblem(response, 500, 'Internal error', 'The function failed; see the local stack log.');
          else response.end();
        }
      })();
    });
  });
}
