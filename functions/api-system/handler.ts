import { API_ROUTES, healthRoute, openApiRoute } from '../../shared/api/index.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { buildOpenApiDocument } from '../../shared/runtime/http/openapi.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';

const API_VERSION = '1.0.0';
let openApiDocument: Record<string, unknown> | undefined;

export const handler = createApiHandler({
  routes: [
    bindRoute(healthRoute, async () => ({ status: 200, body: { status: 'ok', version: API_VERSION, time: new Date().toISOString() } })),
    bindRoute(openApiRoute, async () => {
      openApiDocument ??= buildOpenApiDocument(API_ROUTES, {
        title: 'calendar-integrations',
        version: API_VERSION,
        description: 'Connect Google, Microsoft 365 and CalDAV calendars; read synced events and free/busy; receive signed webhooks.',
      });
      return { status: 200, body: openApiDocument, headers: { 'cache-control': 'public, max-age=300' } };
    }),
  ],
});
