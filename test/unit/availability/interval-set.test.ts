import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BusyColumns } from '../../../shared/domain/busy-intervals.ts';
import {
  ForwardMembership,
  bufferedBusy,
  coveredByAtLeast,
  intersectSets,
  setContains,
  spanSet,
  startSet,
  subtractSets,
  unionSets,
} from '../../../shared/domain/interval-set.ts';

// Sets over the integers 0…80 as the reference: a point is in the set or not.
const SPAN = 80;
type Points = boolean[];

const setArbitrary = fc.array(fc.tuple(fc.integer({ min: -5, max: SPAN }), fc.integer({ min: 1, max: 25 })), { maxLength: 8 }).map((raw) => {
  const points: Points = Array.from({ length: SPAN + 40 }, () => false);
  for (const [start, length] of raw) for (let t = Math.max(0, start); t < start + length && t < points.length; t++) points[t] = true;
  return points;
});

function toSet(points: Points): BusyColumns {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let t = 0; t < points.length; t++) {
    if (points[t] && !points[t - 1]) starts.push(t);
    if (points[t] && !points[t + 1]) ends.push(t + 1);
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), length: starts.length };
}

function toPoints(set: BusyColumns, size: number): Points {
  for (let i = 0; i < set.length; i++) {
    if (!(set.ends[i]! > set.starts[i]!)) throw new Error(`empty interval at ${i}`);
    if (i > 0 && !(set.starts[i]! > set.ends[i - 1]!)) throw new Error(`intervals ${i - 1} and ${i} are not sorted, disjoint and apart`);
  }
  const points: Points = Array.from({ length: size }, () => false);
  for (let i = 0; i < set.length; i++) for (let t = Math.max(0, set.starts[i]!); t < Math.min(size, set.ends[i]!); t++) points[t] = true;
  return points;
}

describe('interval set arithmetic against point sets', () => {
  it('intersection, subtraction, union and "at least k of n" equal their point-wise definitions', () => {
    fc.assert(
      fc.property(fc.array(setArbitrary, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (sets, k) => {
        const size = sets[0]!.length;
        const [a, b = sets[0]!] = sets;
        expect(toPoints(intersectSets(toSet(a!), toSet(b)), size)).toEqual(a!.map((v, t) => v && b[t]!));
        expect(toPoints(subtractSets(toSet(a!), toSet(b)), size)).toEqual(a!.map((v, t) => v && !b[t]!));
        expect(toPoints(unionSets(sets.map(toSet)), size)).toEqual(a!.map((_, t) => sets.some((set) => set[t])));
        expect(toPoints(coveredByAtLeast(sets.map(toSet), k), size)).toEqual(a!.map((_, t) => sets.filter((set) => set[t]).length >= k));
      }),
      { numRuns: 1000 },
    );
  });

  it('start sets: t is a start exactly when [t, t + d) lies inside the set', () => {
    fc.assert(
      fc.property(setArbitrary, fc.integer({ min: 1, max: 20 }), (points, d) => {
        const starts = toPoints(startSet(toSet(points), d), points.length);
        expect(starts).toEqual(points.map((_, t) => t + d <= points.length && points.slice(t, t + d).every(Boolean)));
        expect(points.map((_, t) => setContains(toSet(points), t, t + d))).toEqual(starts);
      }),
      { numRuns: 500 },
    );
  });

  it('buffered busy: a meeting misses it exactly when its buffers are clear of every busy point', () => {
    fc.assert(
      fc.property(setArbitrary, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 10 }), (busy, before, after, d) => {
        const blocked = bufferedBusy(toSet(busy), before, after);
        const ours = Array.from({ length: SPAN }, (_, s) => intersectSets(spanSet(s, s + d), blocked).length === 0);
        const reference = Array.from({ length: SPAN }, (_, s) => busy.every((isBusy, t) => !isBusy || t < s - before || t >= s + d + after));
        expect(ours).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });

  it('forward membership answers like a scan for ascending instants', () => {
    fc.assert(
      fc.property(setArbitrary, fc.array(fc.integer({ min: 0, max: SPAN + 30 }), { maxLength: 40 }), (points, probes) => {
        const membership = new ForwardMembership(toSet(points));
        const sorted = [...probes].sort((x, y) => x - y);
        expect(sorted.map((t) => membership.has(t))).toEqual(sorted.map((t) => points[t] ?? false));
      }),
      { numRuns: 500 },
    );
  });
});
