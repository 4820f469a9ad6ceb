import { buildOpenApiDocument } from '../runtime/http/openapi.ts';
import { API_ROUTES } from './index.ts';

export const API_VERSION = '1.0.0';

/**
 * The document `GET /openapi.json` serves. Built in-process from the route contracts, so the typed client
 * (client/schema.d.ts, `npm run client:generate`) is generated from exactly what the API answers, with no
 * server running.
 */
export function apiOpenApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(API_ROUTES, {
    title: 'calendar-integrations',
    version: API_VERSION,
    description: 'Connect Google, Microsoft 365 and CalDAV calendars; read synced events and free/busy; receive signed webhooks.',
  });
}
