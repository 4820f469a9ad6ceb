// Routes announced in scheduling.md §2 and being built but not yet in the route
// contracts, so not in schema.d.ts. Kept deliberately loose (the response shapes are not fixed yet); callers
// must handle 404 until the route exists. Delete an entry once its route is generated.

// A pending GET is declared like `'/v1/x': { parameters: {...}; get: { parameters; requestBody?: never;
// responses: { 200: { headers; content: { 'application/json': Body } }; 404: ... } } }` (see git history).
/** Empty: `/v1/logs` and `/v1/health/integrations` are in the contract now (shared/api/logs.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the slot for the next announced route
export interface PendingPaths {}
