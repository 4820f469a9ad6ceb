import type * as z from 'zod/mini';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../../domain/app-error.ts';
import type { RouteContract } from './route.ts';

export interface ParsedInput {
  params: unknown;
  query: unknown;
  body: unknown;
  rawBody: string;
}

/** `['body','eventTypes',0]` → `body.eventTypes[0]`. */
export function fieldPath(section: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${String(segment)}`), section);
}

function validate(section: 'params' | 'query' | 'body', schema: z.ZodMiniType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldPath(section, [...issue.path, key]), message: 'unknown field' }))
      : [{ field: fieldPath(section, issue.path), message: issue.message }],
  );
  const first = errors[0]!;
  throw new AppError('input.invalid', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { details: { field: first.field, errors } });
}

export function rawBodyOf(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Validates path, query and body of an API Gateway v2 event against a route contract. */
export function parseRequest(contract: RouteContract, event: APIGatewayProxyEventV2): ParsedInput {
  const rawBody = rawBodyOf(event);
  const params = validate('params', contract.params, event.pathParameters ?? {});
  const query = validate('query', contract.query, event.queryStringParameters ?? {});
  let body: unknown = undefined;
  if (contract.body && !contract.rawBody) {
    let json: unknown = undefined;
    if (rawBody.trim() !== '') {
      const contentType = (event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? 'application/json').toLowerCase();
      if (!contentType.includes('json')) {
        throw new AppError('input.invalid', 'body: the request body must be JSON (content-type: application/json).', { details: { field: 'body' } });
      }
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new AppError('input.invalid', 'body: the request body is not valid JSON.', { details: { field: 'body' } });
      }
    }
    body = validate('body', contract.body, json);
  }
  return { params, query, body, rawBody };
}
