import { healthRoute, openApiRoute } from '../../shared/api/index.ts';
import { API_VERSION, apiOpenApiDocument } from '../../shared/api/openapi-document.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';

let openApiDocument: Record<string, unknown> | undefined;

export const handler = createApiHandler({
  routes: [
    bindRoute(healthRoute, async () => ({ status: 200, body: { status: 'ok', version: API_VERSION, time: new Date().toISOString() } })),
    bindRoute(openApiRoute, async () => {
      openApiDocument ??= apiOpenApiDocument();
      return { status: 200, body: openApiDocument, headers: { 'cache-control': 'public, max-age=300' } };
    }),
  ],
});
