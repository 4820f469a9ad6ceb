import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORACLE_ZONE_NAMES, oracleOffsetMinutes } from './support/zone-rules.ts';

/** The oracle's own check: its hand-written rules agree with the runtime's tz data (it is used only if they do). */
const formats = new Map<string, Intl.DateTimeFormat>();
function intlOffsetMinutes(zone: string, utcMs: number): number {
  let format = formats.get(zone);
  if (!format) formats.set(zone, (format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })));
  const parts = format.formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  return (Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - Math.floor(utcMs / 60_000) * 60_000) / 60_000;
}

describe('the test oracle of zone rules', () => {
  it('agrees with the tz database for every zone it knows, 2026–2029, including the minutes around transitions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORACLE_ZONE_NAMES), fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }), (zone, minute) => {
        expect(oracleOffsetMinutes(zone, minute * 60_000), `${zone} ${new Date(minute * 60_000).toISOString()}`).toBe(intlOffsetMinutes(zone, minute * 60_000));
      }),
      { numRuns: 3000 },
    );
    // Every transition minute and the minute before it, for each zone and year.
    for (const zone of ORACLE_ZONE_NAMES) {
      for (let year = 2026; year <= 2029; year++) {
        for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 3_600_000) {
          if (oracleOffsetMinutes(zone, t) !== oracleOffsetMinutes(zone, t - 3_600_000)) {
            for (let m = t - 2 * 3_600_000; m <= t + 3_600_000; m += 15 * 60_000) expect(oracleOffsetMinutes(zone, m), `${zone} ${new Date(m).toISOString()}`).toBe(intlOffsetMinutes(zone, m));
          }
        }
      }
    }
  });
});
