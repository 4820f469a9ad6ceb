/** The stored answer of a request made under an Idempotency-Key, replayed verbatim to a repeat. */
export interface StoredResponse {
  status: number;
  body?: unknown;
}

export type IdempotentBegin =
  /** This call owns the key now: run the request, then `complete` (or `abandon` when it failed). */
  | { state: 'started' }
  /** The first request finished: answer its response again. */
  | { state: 'completed'; response: StoredResponse }
  /** The first request is still running (its lease has not run out). */
  | { state: 'in_progress' }
  /** The key was used for a different request (another body, route or calendar). */
  | { state: 'mismatch' };

/**
 * Records of requests made with an `Idempotency-Key` (the IETF httpapi draft's semantics): the first
 * request claims the key with a lease and a fingerprint of what it asked; a repeat either gets the stored
 * response, or waits (in progress), or is refused (another request under the same key). A lease that ran
 * out (the Lambda died mid-request) lets the next repeat take over; the write itself is keyed at the
 * provider, so taking over never makes a second provider event.
 *
 * @example
 *   const begun = await requests.begin(tenantId, key, fingerprint, { leaseSeconds: 60, ttlSeconds: 86_400 });
 *   if (begun.state === 'completed') return begun.response;
 */
export interface IdempotentRequestStore {
  begin(tenantId: string, key: string, fingerprint: string, options: { leaseSeconds: number; ttlSeconds: number }): Promise<IdempotentBegin>;
  complete(tenantId: string, key: string, fingerprint: string, response: StoredResponse, ttlSeconds: number): Promise<void>;
  /** Gives the key up after a failed request, so a repeat runs it again. */
  abandon(tenantId: string, key: string, fingerprint: string): Promise<void>;
}
