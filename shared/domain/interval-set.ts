import { BusyIntervalBuffer, mergeBusyIntervals, type BusyColumns } from './busy-intervals.ts';

/**
 * Set arithmetic on time as numbers: every set is a `BusyColumns` of sorted, disjoint, non-touching
 * half-open intervals [starts[i], ends[i]) in epoch ms. Each operation is one linear sweep over typed arrays
 * (or one typed-array sort for a union of many sets), so availability over thousands of events allocates a
 * few arrays per participant, never an object per interval.
 */

export const EMPTY_SET: BusyColumns = { starts: new Float64Array(0), ends: new Float64Array(0), length: 0 };

/** The set [startMs, endMs), or the empty set. */
export function spanSet(startMs: number, endMs: number): BusyColumns {
  if (!(endMs > startMs)) return EMPTY_SET;
  return { starts: Float64Array.of(startMs), ends: Float64Array.of(endMs), length: 1 };
}

/**
 * Builds a set from intervals given in start order, joining each to the previous one when they touch or
 * overlap (09–12 and 12–17 become 09–17). Grows by doubling.
 */
export class IntervalWriter {
  starts: Float64Array;
  ends: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.starts = new Float64Array(Math.max(1, capacity));
    this.ends = new Float64Array(Math.max(1, capacity));
  }

  push(start: number, end: number): void {
    if (!(end > start)) return;
    const last = this.length - 1;
    if (last >= 0 && start <= this.ends[last]!) {
      if (end > this.ends[last]!) this.ends[last] = end;
      return;
    }
    if (this.length === this.starts.length) {
      const starts = new Float64Array(this.length * 2);
      const ends = new Float64Array(this.length * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length += 1;
  }

  done(): BusyColumns {
    return { starts: this.starts.subarray(0, this.length), ends: this.ends.subarray(0, this.length), length: this.length };
  }
}

/** A ∩ B. */
export function intersectSets(a: BusyColumns, b: BusyColumns): BusyColumns {
  const out = new IntervalWriter(Math.min(a.length, b.length) + 1);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a.starts[i]!, b.starts[j]!);
    const end = Math.min(a.ends[i]!, b.ends[j]!);
    out.push(start, end);
    if (a.ends[i]! < b.ends[j]!) i += 1;
    else j += 1;
  }
  return out.done();
}

/** A \ B. */
export function subtractSets(a: BusyColumns, b: BusyColumns): BusyColumns {
  const out = new IntervalWriter(a.length + b.length + 1);
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    let start = a.starts[i]!;
    const end = a.ends[i]!;
    // B intervals ending at or before this A interval's start cannot cut it (nor any later one).
    while (j < b.length && b.ends[j]! <= start) j += 1;
    let k = j;
    while (k < b.length && b.starts[k]! < end) {
      out.push(start, Math.min(end, b.starts[k]!));
      start = Math.max(start, b.ends[k]!);
      if (start >= end) break;
      k += 1;
    }
    out.push(start, end);
  }
  return out.done();
}

/** The union of any number of sets (one typed-array sort and sweep over all their intervals). */
export function unionSets(sets: readonly BusyColumns[]): BusyColumns {
  if (sets.length === 0) return EMPTY_SET;
  if (sets.length === 1) return sets[0]!;
  let total = 0;
  for (const set of sets) total += set.length;
  const buffer = new BusyIntervalBuffer(-Infinity, Infinity, total + 1);
  for (const set of sets) buffer.addAll(set);
  return mergeBusyIntervals(buffer);
}

/**
 * Every interval widened to [start − earlierMs, end + laterMs), re-merged. Widening busy time turns the
 * buffers into plain set subtraction: a meeting [s, e) that needs `before` free before it and `after` free
 * after it is clear of busy [bs, be) exactly when [s, e) misses [bs − after, be + before), so busy time is
 * widened with earlierMs = after and laterMs = before (see `bufferedBusy`).
 */
export function widenSet(set: BusyColumns, earlierMs: number, laterMs: number): BusyColumns {
  if (earlierMs === 0 && laterMs === 0) return set;
  const out = new IntervalWriter(set.length + 1);
  for (let i = 0; i < set.length; i++) out.push(set.starts[i]! - earlierMs, set.ends[i]! + laterMs);
  return out.done();
}

/** Busy time as the meeting's buffers see it: what a meeting [s, e) must miss to have both buffers clear. */
export function bufferedBusy(busy: BusyColumns, bufferBeforeMs: number, bufferAfterMs: number): BusyColumns {
  return widenSet(busy, bufferAfterMs, bufferBeforeMs);
}

/**
 * Where a meeting of `durationMs` may start so that it lies inside the set: [a, b − duration] for each
 * interval at least that long. As whole milliseconds that is the half-open [a, b − duration + 1), so start
 * sets combine with the same operations as the sets they come from.
 */
export function startSet(set: BusyColumns, durationMs: number): BusyColumns {
  const out = new IntervalWriter(set.length + 1);
  for (let i = 0; i < set.length; i++) out.push(set.starts[i]!, set.ends[i]! - durationMs + 1);
  return out.done();
}

/**
 * The instants covered by at least `k` of the sets (k = 1: union, k = sets.length: intersection). One sweep
 * over all starts and ends, sorted as typed arrays; each set is disjoint, so the count at a point is the
 * number of sets covering it.
 */
export function coveredByAtLeast(sets: readonly BusyColumns[], k: number): BusyColumns {
  if (k <= 0) throw new RangeError('k must be at least 1');
  if (k > sets.length) return EMPTY_SET;
  if (k === 1) return unionSets(sets);
  if (k === sets.length && sets.length === 2) return intersectSets(sets[0]!, sets[1]!);
  let total = 0;
  for (const set of sets) total += set.length;
  const starts = new Float64Array(total);
  const ends = new Float64Array(total);
  let n = 0;
  for (const set of sets) {
    starts.set(set.starts.subarray(0, set.length), n);
    ends.set(set.ends.subarray(0, set.length), n);
    n += set.length;
  }
  starts.sort();
  ends.sort();
  const out = new IntervalWriter(total + 1);
  let active = 0;
  let openedAt = 0;
  let i = 0;
  let j = 0;
  while (j < total) {
    // Ends first at equal times: half-open intervals that touch do not overlap.
    if (i < total && starts[i]! < ends[j]!) {
      active += 1;
      if (active === k) openedAt = starts[i]!;
      i += 1;
    } else {
      if (active === k) out.push(openedAt, ends[j]!);
      active -= 1;
      j += 1;
    }
  }
  return out.done();
}

/** Total length of a set, in ms. */
export function setLength(set: BusyColumns): number {
  let total = 0;
  for (let i = 0; i < set.length; i++) total += set.ends[i]! - set.starts[i]!;
  return total;
}

/** Whether [startMs, endMs) lies inside one interval of the set (binary search). */
export function setContains(set: BusyColumns, startMs: number, endMs: number): boolean {
  let low = 0;
  let high = set.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (set.ends[middle]! <= startMs) low = middle + 1;
    else if (set.starts[middle]! > startMs) high = middle - 1;
    else return endMs <= set.ends[middle]!;
  }
  return false;
}

/**
 * Membership for instants asked in ascending order: a cursor that only moves forward, so checking every
 * slot against a participant costs one pass over that participant's set in total.
 */
export class ForwardMembership {
  readonly #set: BusyColumns;
  #index = 0;

  constructor(set: BusyColumns) {
    this.#set = set;
  }

  has(instantMs: number): boolean {
    const set = this.#set;
    while (this.#index < set.length && set.ends[this.#index]! <= instantMs) this.#index += 1;
    return this.#index < set.length && set.starts[this.#index]! <= instantMs;
  }
}
