/**
 * Round-robin assignment (scheduling.md §4): among the free hosts, the one furthest below its weighted
 * share of this period's bookings, then the higher priority, then the one booked least recently.
 * Pure and numeric so the fairness property can be checked over thousands of simulated bookings.
 */
export interface RoundRobinHost {
  id: string;
  /** Relative share; default 1. */
  weight: number;
  /** Higher wins a tie; default 0. */
  priority: number;
  /** Confirmed bookings of this booking type in the current period. */
  bookingsInPeriod: number;
  /** Epoch ms of the last booking, or null when never booked. */
  lastBookedAtMs: number | null;
}

/** The host to assign, or null when none of them is free. Busy hosts are never picked. */
export function pickRoundRobinHost(hosts: readonly RoundRobinHost[], free: ReadonlySet<string>): RoundRobinHost | null {
  let best: RoundRobinHost | null = null;
  for (const host of hosts) {
    if (!free.has(host.id)) continue;
    if (best === null || before(host, best)) best = host;
  }
  return best;
}

function before(a: RoundRobinHost, b: RoundRobinHost): boolean {
  // count/weight compared by cross-multiplying: no float drift deciding ties between equal shares.
  const share = a.bookingsInPeriod * b.weight - b.bookingsInPeriod * a.weight;
  if (share !== 0) return share < 0;
  if (a.priority !== b.priority) return a.priority > b.priority;
  const aLast = a.lastBookedAtMs ?? -Infinity;
  const bLast = b.lastBookedAtMs ?? -Infinity;
  return aLast < bLast;
}
