import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, spreadMs } from '../../../shared/domain/backoff.ts';

describe('the one backoff policy', () => {
  it('waits between half and all of min(cap, base·2ⁿ), never more than the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 3_600_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, baseMs, capMs, r) => {
        const step = Math.min(capMs, baseMs * 2 ** attempt);
        const wait = backoffDelayMs(attempt, { baseMs, capMs }, () => r);
        expect(wait).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(wait).toBeLessThanOrEqual(Math.ceil(step));
      }),
      { numRuns: 500 },
    );
  });

  it('grows with the attempt until the cap, and the jitter really spreads', () => {
    const policy = { baseMs: 100, capMs: 10_000 };
    const lows = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelayMs(attempt, policy, () => 0));
    expect(lows).toEqual([50, 100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(backoffDelayMs(3, policy, () => 0.999_999)).toBe(800);
    expect(new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, policy))).size).toBeGreaterThan(10);
  });

  it('spreads a planned wait by ±ratio', () => {
    expect(spreadMs(1_000, 0.1, () => 0)).toBe(900);
    expect(spreadMs(1_000, 0.1, () => 0.5)).toBe(1_000);
    expect(spreadMs(1_000, 0.1, () => 0.999_999)).toBe(1_100);
  });

  it('is the only exponential backoff formula in the product code', () => {
    // Issue 10 §11: eight formulas with five jitter styles became one; a new retry loop uses the policy.
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.endsWith(path.join('domain', 'backoff.ts'))) {
          readFileSync(file, 'utf8')
            .split('\n')
            .forEach((line, index) => {
              if (/\*\s*2\s*\*\*|2\s*\*\*\s*\(?\w+.*\*|Math\.pow\(\s*2/.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//')) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
            });
        }
      }
    };
    for (const root of ['shared', 'functions', 'infra']) walk(path.resolve(root));
    expect(offenders).toEqual([]);
  });
});
