import * as z from 'zod/mini';
import { defineRoute } from '../runtime/http/route.ts';

export const HealthResponse = z.object({ status: z.literal('ok'), version: z.string(), time: z.string() });

export const healthRoute = defineRoute({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  function: 'api-system',
  auth: 'none',
  summary: 'Liveness check',
  tags: ['system'],
  responses: { 200: { description: 'The API is up.', schema: HealthResponse } },
});

export const openApiRoute = defineRoute({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  function: 'api-system',
  auth: 'none',
  summary: 'This API as an OpenAPI 3.1 document',
  tags: ['system'],
  responses: { 200: { description: 'The OpenAPI document.' } },
});
