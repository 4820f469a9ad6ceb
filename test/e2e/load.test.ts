import { describe, expect, it } from 'vitest';
import { runLoad } from '../support/load-run.ts';

/**
 * Issue 10 §12 at CI size (the full 1,000-connection run is `npm run bench load`): connections on all three
 * providers, a burst of pushed changes, changes only a scheduler round finds; every change exactly one
 * domain event and one webhook delivery, nothing dead-lettered.
 */
describe('load on the local stack (small)', () => {
  it('turns every change into exactly one domain event and one delivery, across Google, Graph and CalDAV', async () => {
    const report = await runLoad({ google: 12, microsoft: 12, caldav: 6, pushChanges: 240, caldavChanges: 24, burstSeconds: 8 });
    if (process.env.LOAD_REPORT) console.log(JSON.stringify(report, null, 1));
    expect(report.events.expected).toBe(240 + 24);
    expect(report.events).toMatchObject({ lost: 0, duplicates: 0, unexpected: 0, domainEvents: 264 });
    expect(report.deliveries).toMatchObject({ expected: 264, received: 264, lost: 0, duplicateIds: 0 });
    expect(report.deadLettered).toBe(0);
    expect(report.schedulerRound.calendars).toBe(30); // every calendar, one each: the round covers them all
    expect(report.providerCalls.caldav).toBeGreaterThan(0);
    expect(report.dynamo.requests.Query ?? 0).toBeGreaterThan(0);
  }, 240_000);
});
