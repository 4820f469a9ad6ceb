/**
 * Exclusive claims on time: a resource (a host's calendar, a room) is held by at most one booking for any
 * granule. A claim starts as a lease (`pending`, expiring) taken before the provider write, so a crash
 * between the two leaves nothing held for long; `confirm` makes it permanent once the booking is stored.
 *
 * @example
 *   const result = await claims.claim({ tenantId, bookingId, resources: [hostCal, roomCal], ranges, leaseUntilMs, nowMs });
 *   if (!result.ok) answer409(result.conflicts);
 */
export interface ClaimRange {
  startMs: number;
  endMs: number;
}

export interface ClaimRequest {
  tenantId: string;
  bookingId: string;
  resources: readonly string[];
  ranges: readonly ClaimRange[];
  /** Until when a pending claim holds; afterwards anyone may take it over. */
  leaseUntilMs: number;
  nowMs: number;
}

export interface ClaimConflict {
  resource: string;
  /** Start of the granule found taken. */
  startMs: number;
  /** The booking holding it, when known. */
  bookingId?: string;
}

export type ClaimResult = { ok: true } | { ok: false; conflicts: ClaimConflict[] };

export interface BookingClaimStore {
  /** All or nothing: every granule of every range on every resource, or none (the same booking may re-claim its own). */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Pending → confirmed (no expiry); only the booking's own claims. */
  confirm(request: Omit<ClaimRequest, 'leaseUntilMs' | 'nowMs'>): Promise<void>;
  /** Frees the booking's own claims; others' are untouched. */
  release(request: Omit<ClaimRequest, 'leaseUntilMs' | 'nowMs'>): Promise<void>;
}
