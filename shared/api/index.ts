import type { RouteContract } from '../runtime/http/route.ts';
import { ConnectionRoutes } from './connections.ts';
import { healthRoute, openApiRoute } from './system.ts';

/** Every HTTP route of the API: the source of the OpenAPI document, the CDK routes and the local router. */
export const API_ROUTES: readonly RouteContract[] = [healthRoute, openApiRoute, ...ConnectionRoutes];

export * from './common.ts';
export * from './connections.ts';
export * from './system.ts';
