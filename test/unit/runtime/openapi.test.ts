import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../shared/api/index.ts';
import { buildOpenApiDocument } from '../../../shared/runtime/http/openapi.ts';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(API_ROUTES, { title: 't', version: '1' }) as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; security: unknown[]; parameters: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  };

  it('is OpenAPI 3.1 with one operation per route contract', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of API_ROUTES) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.operationId);
    }
  });

  it('requires the bearer token exactly on JWT routes and documents problems', () => {
    const list = doc.paths['/v1/connections']!.get!;
    expect(list.security).toEqual([{ bearerAuth: [] }]);
    expect(list.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:cursor', 'query:limit']);
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '500']));
    expect(doc.paths['/health']!.get!.security).toEqual([]);
    expect(doc.paths['/v1/connections/{id}']!.get!.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path' })]);
  });
});
