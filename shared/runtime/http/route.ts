import type * as z from 'zod/mini';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodMiniType;
  /** Default `application/json`. */
  contentType?: string;
}

/**
 * One HTTP route as data: what it accepts and answers. The same contract drives request validation, the
 * OpenAPI document, the API Gateway routes of the CDK stack and the local stack's router.
 */
export interface RouteContract {
  operationId: string;
  method: HttpMethod;
  /** API Gateway style template: `/v1/connections/{id}`. */
  path: string;
  /** The Lambda function (folder under functions/) that serves it. */
  function: string;
  /** `jwt`: bearer token required, tenant from the token. `none`: public (health, OAuth callback, pushes). */
  auth: 'jwt' | 'none';
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** The body is passed through unparsed (provider pushes verify raw bytes or ignore the body). */
  rawBody?: boolean;
  responses: Record<number, ResponseSpec>;
  /** API Gateway throttling of this route (requests per second, burst), tighter than the stage default. */
  throttle?: { rateLimit: number; burstLimit: number };
}

export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface RouteRequest<C extends RouteContract> {
  /** Null only on `auth: 'none'` routes. */
  tenantId: C['auth'] extends 'jwt' ? string : string | null;
  params: Out<C['params']>;
  query: Out<C['query']>;
  body: Out<C['body']>;
  /** The raw body text (UTF-8), for routes that need the exact bytes. */
  rawBody: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  requestId: string;
  /** The caller's address as API Gateway saw it (`requestContext.http.sourceIp`); never a forwarded header. */
  sourceIp: string;
  /** Raw query string values, for routes that must echo one verbatim (Graph validationToken). */
  rawQuery: Record<string, string>;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as-is with this content type instead of JSON. */
  contentType?: string;
}

export interface RouteBinding<C extends RouteContract = RouteContract> {
  contract: C;
  handle(request: RouteRequest<C>): Promise<RouteResponse>;
}

export function bindRoute<C extends RouteContract>(contract: C, handle: (request: RouteRequest<C>) => Promise<RouteResponse>): RouteBinding {
  return { contract, handle: handle as RouteBinding['handle'] };
}

/** `GET /v1/connections/{id}`: the API Gateway route key of a contract. */
export function routeKeyOf(contract: Pick<RouteContract, 'method' | 'path'>): string {
  return `${contract.method} ${contract.path}`;
}
