import { describe, expect, it } from 'vitest';
import { pickRoundRobinHost, type RoundRobinHost } from '../../../shared/domain/round-robin.ts';

/** Deterministic PRNG so a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function simulate(weights: number[], bookings: number, busyChance: number, seed: number) {
  const random = prng(seed);
  const hosts: RoundRobinHost[] = weights.map((weight, i) => ({ id: `h${i}`, weight, priority: 0, bookingsInPeriod: 0, lastBookedAtMs: null }));
  let pickedBusy = 0;
  let unassigned = 0;
  for (let n = 0; n < bookings; n++) {
    const free = new Set(hosts.filter(() => random() >= busyChance).map((host) => host.id));
    const chosen = pickRoundRobinHost(hosts, free);
    if (!chosen) {
      unassigned++;
      continue;
    }
    if (!free.has(chosen.id)) pickedBusy++;
    chosen.bookingsInPeriod++;
    chosen.lastBookedAtMs = n;
  }
  const total = hosts.reduce((sum, host) => sum + host.bookingsInPeriod, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  // Relative deviation of each host's share from its target weight/Σweight.
  const deviations = hosts.map((host, i) => Math.abs(host.bookingsInPeriod / total - weights[i]! / weightSum) / (weights[i]! / weightSum));
  return { hosts, total, deviations, pickedBusy, unassigned };
}

describe('round-robin assignment', () => {
  it.each([
    ['equal weights, nobody busy', [1, 1, 1, 1, 1], 0],
    ['equal weights, each host busy 30% of the time', [1, 1, 1, 1, 1], 0.3],
    ['weights 1:2:3:4, busy 20%', [1, 2, 3, 4], 0.2],
    // Busy time can force a share: with 5:1 the light host gets every booking the heavy one is busy for,
    // so the target is reachable only while that is below 1/6 of them.
    ['weights 5:1, busy 10%', [5, 1], 0.1],
  ])('over 1,000 bookings (%s) no share is more than 5%% off its target, no busy host picked', (_label, weights, busy) => {
    const result = simulate(weights, 1000, busy, 42);
    expect(result.pickedBusy).toBe(0);
    expect(result.total + result.unassigned).toBe(1000);
    for (const deviation of result.deviations) expect(deviation).toBeLessThanOrEqual(0.05);
  });

  it('breaks equal shares by priority, then by who was booked least recently (never booked first)', () => {
    const base = { weight: 1, bookingsInPeriod: 3 };
    const hosts: RoundRobinHost[] = [
      { id: 'recent', ...base, priority: 0, lastBookedAtMs: 500 },
      { id: 'old', ...base, priority: 0, lastBookedAtMs: 100 },
      { id: 'never', ...base, priority: 0, lastBookedAtMs: null },
    ];
    const all = new Set(hosts.map((host) => host.id));
    expect(pickRoundRobinHost(hosts, all)?.id).toBe('never');
    expect(pickRoundRobinHost(hosts, new Set(['recent', 'old']))?.id).toBe('old');
    expect(pickRoundRobinHost([...hosts, { id: 'vip', ...base, priority: 5, lastBookedAtMs: 999 }], all.add('vip'))?.id).toBe('vip');
    // A host further below its share beats priority.
    expect(pickRoundRobinHost([...hosts, { id: 'behind', weight: 1, bookingsInPeriod: 2, priority: 0, lastBookedAtMs: 999 }], all.add('behind'))?.id).toBe('behind');
  });

  it('answers null when every host is busy', () => {
    expect(pickRoundRobinHost([{ id: 'a', weight: 1, priority: 0, bookingsInPeriod: 0, lastBookedAtMs: null }], new Set())).toBeNull();
  });
});
