import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalTimeZone, isValidTimeZone, startOfDateUtcMs, wallTimeAt, wallTimeToUtcMs, zoneOffsetMs } from '../../../shared/domain/time-zone.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('time-zone helpers', () => {
  it('converts ordinary wall times in both hemispheres', () => {
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 1, day: 15, hour: 9, minute: 0, second: 0 }, 'America/New_York'))).toBe('2026-01-15T14:00:00.000Z');
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 7, day: 15, hour: 9, minute: 0, second: 0 }, 'America/New_York'))).toBe('2026-07-15T13:00:00.000Z');
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 1, day: 15, hour: 9, minute: 0, second: 0 }, 'Pacific/Auckland'))).toBe('2026-01-14T20:00:00.000Z');
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 3, day: 1, hour: 10, minute: 30, second: 0 }, 'Asia/Kolkata'))).toBe('2026-03-01T05:00:00.000Z');
  });

  it('moves a wall time in the spring-forward gap forward (RFC 5545 §3.3.5)', () => {
    // 2026-03-08 02:30 does not exist in New York; read with the offset before the gap (-05:00) = 03:30 EDT.
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 }, 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of two repeated wall times at fall-back', () => {
    // 2026-11-01 01:30 happens twice in New York: first at EDT (-04:00).
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 }, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(wallTimeToUtcMs({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('round-trips every instant through its wall time in several zones', () => {
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }), fc.constantFrom(...zones), (ms, zone) => {
        const instant = Math.floor(ms / 1000) * 1000;
        const wall = wallTimeAt(zone, instant);
        const back = wallTimeToUtcMs(wall, zone);
        // An instant in the repeated hour maps back to the first occurrence; otherwise exactly.
        expect(back === instant || (back < instant && instant - back <= 3_600_000)).toBe(true);
        expect(zoneOffsetMs(zone, instant)).toBe(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - instant);
      }),
      { numRuns: 300 },
    );
  });

  it('finds midnight of a date in a zone, and validates zone names', () => {
    expect(iso(startOfDateUtcMs('2026-06-01', 'Europe/Berlin'))).toBe('2026-05-31T22:00:00.000Z');
    expect(iso(startOfDateUtcMs('2026-06-01', null))).toBe('2026-06-01T00:00:00.000Z');
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
  });
});
