import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusyIntervalBuffer, createIsoFormatter, mergeBusyIntervals, parseInstantMs, toIsoIntervals } from '../../../shared/domain/busy-intervals.ts';

type Pair = [number, number];

/** The obvious merge, for reference: drop empty intervals, sort by start, extend while the next one starts at or before the current end. */
function naiveMerge(intervals: readonly Pair[]): Pair[] {
  const sorted = intervals.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  const out: Pair[] = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

function columnsOf(intervals: readonly Pair[]) {
  return { starts: Float64Array.from(intervals, (pair) => pair[0]), ends: Float64Array.from(intervals, (pair) => pair[1]), length: intervals.length };
}

function pairsOf(columns: { starts: Float64Array; ends: Float64Array; length: number }): Pair[] {
  return Array.from({ length: columns.length }, (_, i) => [columns.starts[i]!, columns.ends[i]!]);
}

// Small coordinates make touching, nested, equal and zero-length intervals common.
const interval = fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -5, max: 20 })).map(([start, length]): Pair => [start, start + length]);

describe('mergeBusyIntervals', () => {
  it('equals the naive merge for random intervals (touching, nested, duplicate, zero-length, reversed)', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 60 }), (intervals) => {
        const columns = columnsOf(intervals);
        expect(pairsOf(mergeBusyIntervals(columns))).toEqual(naiveMerge(intervals));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals the naive merge when the starts arrive in order (as the store delivers them) and skip their sort', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 60 }), (intervals) => {
        const ordered = [...intervals].sort((a, b) => a[0] - b[0]);
        expect(pairsOf(mergeBusyIntervals(columnsOf(ordered)))).toEqual(naiveMerge(intervals));
      }),
      { numRuns: 1000 },
    );
  });

  it('equals the naive merge when the starts ascend for a while and then go back (the one-pass merge gives up midway)', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 40 }), fc.array(interval, { minLength: 1, maxLength: 20 }), (head, tail) => {
        const ordered = [...head].sort((a, b) => a[0] - b[0]);
        const intervals = [...ordered, ...tail];
        expect(pairsOf(mergeBusyIntervals(columnsOf(intervals)))).toEqual(naiveMerge(intervals));
      }),
      { numRuns: 1000 },
    );
  });

  it('merges start-ordered input in one pass: long intervals swallow later ones, touching ones join, empty ones in between are skipped', () => {
    const merged = mergeBusyIntervals(
      columnsOf([
        [0, 100],
        [5, 6],
        [7, 7],
        [50, 100],
        [100, 101],
        [120, 110],
        [130, 140],
        [140, 150],
        [160, 161],
      ]),
    );
    expect(pairsOf(merged)).toEqual([
      [0, 101],
      [130, 150],
      [160, 161],
    ]);
  });

  it('joins touching intervals, swallows nested ones, drops empty ones and leaves its input alone', () => {
    const input = columnsOf([
      [10, 11],
      [9, 10],
      [12, 20],
      [13, 14],
      [30, 30],
      [40, 35],
    ]);
    const before = pairsOf(input);
    expect(pairsOf(mergeBusyIntervals(input))).toEqual([
      [9, 11],
      [12, 20],
    ]);
    expect(pairsOf(input)).toEqual(before);
  });

  it('merges nothing into nothing', () => {
    expect(mergeBusyIntervals(columnsOf([])).length).toBe(0);
  });
});

describe('BusyIntervalBuffer', () => {
  it('clips to its range, drops what falls outside and grows past its capacity', () => {
    const buffer = new BusyIntervalBuffer(100, 200, 1);
    buffer.add(50, 120);
    buffer.add(150, 250);
    buffer.add(0, 100);
    buffer.add(200, 300);
    buffer.add(110, 110);
    buffer.add(Number.NaN, 150);
    expect(pairsOf(buffer)).toEqual([
      [100, 120],
      [150, 200],
    ]);
  });
});

describe('ISO codecs', () => {
  const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) });

  it('formats exactly like toISOString', () => {
    const format = createIsoFormatter();
    fc.assert(
      fc.property(instant, (ms) => {
        expect(format(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('parses stored UTC instants (with or without milliseconds) like Date.parse', () => {
    fc.assert(
      fc.property(instant, fc.boolean(), (ms, withMillis) => {
        const text = withMillis ? new Date(ms).toISOString() : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
        expect(parseInstantMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    '1899-12-31T23:59:59Z',
    '2200-01-01T00:00:00.000Z',
    '2026-11-01T24:00:00Z',
    '2026-11-01T23:59:60Z',
    '2026-11-01T09:00:00+01:00',
    '2026-11-01T09:00:00.123456Z',
    '2026-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2026-04-31T00:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-11-01X09:00:00.000Z',
    'not an instant at all',
  ])('falls back to Date.parse for %s', (text) => {
    expect(Object.is(parseInstantMs(text), Date.parse(text))).toBe(true);
  });

  it('writes merged columns as ISO intervals', () => {
    const merged = mergeBusyIntervals(columnsOf([[Date.parse('2026-11-01T09:00:00Z'), Date.parse('2026-11-01T10:30:00Z')]]));
    expect(toIsoIntervals(merged)).toEqual([{ start: '2026-11-01T09:00:00.000Z', end: '2026-11-01T10:30:00.000Z' }]);
  });
});
