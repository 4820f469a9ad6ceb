// The typed API client every frontend uses (the operator console included): openapi-fetch over the types
// generated from /openapi.json. Another app imports `createApiClient` from here (or copies client/ with its
// two files) and gets compile-time checked paths, parameters, bodies and responses.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths as GeneratedPaths } from './schema.d.ts';
import type { PendingPaths } from './pending.ts';

export type { components, operations } from './schema.d.ts';

/**
 * The generated paths, plus the routes of scheduling.md §2 that are announced but not yet in the contract
 * (client/pending.ts). A generated path always wins, so a pending entry disappears by itself the day its
 * route lands and `npm run client:generate` runs.
 */
export type paths = GeneratedPaths & Omit<PendingPaths, keyof GeneratedPaths>;
export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** Where the API is, e.g. http://localhost:3000 (no trailing slash). Empty string = same origin. */
  baseUrl: string;
  /** Bearer token (the tenant's JWT); read on every request, so a sign-in takes effect at once. */
  token?: () => string | null | undefined;
  fetch?: typeof fetch;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}
