/**
 * Remembers that an operation with a key has been done (or is being done), for at-least-once inputs.
 *
 * @example
 *   if (!(await idempotency.claim(tenantId, `fanout:${event.id}`, 86_400))) return; // already handled
 */
export interface IdempotencyStore {
  /** True when this call is the first to claim the key within its TTL. */
  claim(tenantId: string, key: string, ttlSeconds: number, now?: Date): Promise<boolean>;
  /** Gives the key up again (the work failed and should be retried). */
  release(tenantId: string, key: string): Promise<void>;
}
