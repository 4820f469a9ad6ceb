// Routes announced in scheduling.md §2 and being built (issue 15 items 1 and 2) but not yet in the route
// contracts, so not in schema.d.ts. Kept deliberately loose (the response shapes are not fixed yet); callers
// must handle 404 until the route exists. Delete an entry once its route is generated.

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
}

interface PendingGet<Query, Body> {
  parameters: { query?: Query; header?: never; path?: never; cookie?: never };
  get: {
    parameters: { query?: Query; header?: never; path?: never; cookie?: never };
    requestBody?: never;
    responses: {
      200: { headers: { [name: string]: unknown }; content: { 'application/json': Body } };
      400: { headers: { [name: string]: unknown }; content: { 'application/problem+json': Problem } };
      401: { headers: { [name: string]: unknown }; content: { 'application/problem+json': Problem } };
      404: { headers: { [name: string]: unknown }; content: { 'application/problem+json': Problem } };
    };
  };
}

export interface PendingPaths {
  '/v1/logs': PendingGet<
    { connectionId?: string; bookingId?: string; type?: string; success?: 'true' | 'false'; since?: string; cursor?: string; limit?: number },
    { items: Record<string, unknown>[]; nextCursor: string | null }
  >;
  '/v1/health/integrations': PendingGet<never, Record<string, unknown>>;
}
