import { AppError } from '../../domain/app-error.ts';
import { backoffDelayMs, type BackoffPolicy } from '../../domain/backoff.ts';
import { hasLimits, limitWindowsAt } from '../../domain/booking-limits.ts';
import type { BookingType } from '../../domain/booking-type.ts';
import type { BookingClaimStore } from '../../ports/booking-claim-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';
import { hostZonesOf } from './booking-limits.ts';

export interface LimitLockDeps {
  claims: BookingClaimStore;
  clock: Clock;
  schedules: Pick<ScheduleStore, 'getMany'>;
}

/** Held across the ledger read, the provider write and the stored booking; a crash frees it by its lease. */
const LOCK_LEASE_MS = 60_000;
/** How long a booking waits for another of the same type and week to finish before it asks to be retried. */
const LOCK_WAIT_MS = 8_000;
const LOCK_RANGE = [{ startMs: 0, endMs: 300_000 }];
/** The turn of the booking ahead is a provider write or two: short waits first. */
const LOCK_RETRY: BackoffPolicy = { baseMs: 40, capMs: 400 };

/**
 * Runs `work` — read the limit ledger, claim, write, store — while no other booking or reschedule of the
 * same booking type can do so for the same host and ISO week (in the host's schedule zone; a local day lies
 * inside its week, so this covers daily limits too). Without it two concurrent bookings at *different*
 * times of a day with one place left both read the ledger before either is stored and both pass. The lock
 * is a claim (conditional DynamoDB writes, atomic across every host and week the booking touches, held
 * across Lambda instances) with a lease; a booking waits briefly for the one ahead, then is told to retry
 * (409 `resource.conflict`, retryable). `work` gets the hosts' zones (undefined: no limits, no lock). Types
 * without limits take no lock.
 */
export async function withLimitLock<T>(
  deps: LimitLockDeps,
  input: { tenantId: string; owner: string; bookingType: BookingType; startsMs: readonly number[] },
  work: (hostZones: readonly string[] | undefined) => Promise<T>,
): Promise<T> {
  const { bookingType } = input;
  if (!hasLimits(bookingType) || input.startsMs.length === 0) return work(undefined);
  // Read once: the lock's weeks and the ledger `work` reads are counted in the same zones.
  const zones = await hostZonesOf(deps, input.tenantId, bookingType);
  const resources = new Set<string>();
  zones.forEach((zone, index) => {
    for (const startMs of input.startsMs) resources.add(`limit:${bookingType.id}:${index}:${limitWindowsAt(zone, startMs).weekStartMs}`);
  });
  const lock = { tenantId: input.tenantId, bookingId: input.owner, resources: [...resources].sort(), ranges: LOCK_RANGE };
  // Waiting is real time (the product clock may be offset or frozen in tests); leases are product time.
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const nowMs = deps.clock.now().getTime();
    const claimed = await deps.claims.claim({ ...lock, leaseUntilMs: nowMs + LOCK_LEASE_MS, nowMs });
    if (claimed.ok) break;
    if (Date.now() >= waitUntil || attempt >= 60) throw new AppError('resource.conflict', 'Another booking of this type for the same week is being made; repeat the request', { retryable: true });
    await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, LOCK_RETRY)));
  }
  try {
    return await work(zones);
  } finally {
    // Released at once; should this fail, the lease lets the next booking in.
    await deps.claims.release(lock).catch(() => undefined);
  }
}
