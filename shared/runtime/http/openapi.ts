import * as z from 'zod/mini';
import type { RouteContract } from './route.ts';

type JsonSchema = Record<string, unknown>;

const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  code: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

function toJsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Path and query parameters: one OpenAPI parameter per property of the object schema. */
function parametersOf(schema: z.ZodMiniType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(typeof propertySchema.description === 'string' ? { description: propertySchema.description } : {}),
    schema: propertySchema,
  }));
}

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** OpenAPI 3.1 document generated from the route contracts (the same zod schemas that validate requests). */
export function buildOpenApiDocument(routes: readonly RouteContract[], info: { title: string; version: string; description?: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const contentType = spec.contentType ?? 'application/json';
      responses[status] = spec.schema
        ? { description: spec.description, content: { [contentType]: { schema: toJsonSchema(spec.schema, 'output') } } }
        : { description: spec.description };
    }
    if (route.params || route.query || route.body) responses['400'] ??= problemResponse('Invalid request: the problem names each offending field.');
    if (route.auth === 'jwt') {
      responses['401'] ??= problemResponse('Missing, invalid or expired bearer token.');
      responses['403'] ??= problemResponse('The token names no tenant.');
    }
    if (route.path.includes('{')) responses['404'] ??= problemResponse('Not found (or owned by another tenant).');
    responses['500'] ??= problemResponse('Unexpected error; no internals are revealed.');

    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses,
      security: route.auth === 'jwt' ? [{ bearerAuth: [] }] : [],
    };
    if (route.body && !route.rawBody) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toJsonSchema(route.body, 'input') } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: toJsonSchema(ProblemSchema, 'output') },
    },
  };
}
