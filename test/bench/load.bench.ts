import type { BenchTable } from './run.ts';
import { runLoad, type PhaseCost } from '../support/load-run.ts';

/**
 * Issue 10 §12: 1,000 connections across Google, Graph and CalDAV on the local stack (loopback only), a
 * burst of 5,000 pushed changes in 60 s, then a scheduler round over every calendar. Figures per change and
 * per scheduled sync feed the capacity model in the README. LOAD_SCALE=0.1 runs a tenth of it.
 */
const scale = Number(process.env.LOAD_SCALE ?? 1);
const n = (value: number) => Math.max(1, Math.round(value * scale));

const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
const per = (value: number, count: number) => (count ? (value / count).toFixed(2) : '–');

export default async function loadBench(): Promise<BenchTable[]> {
  const options = { google: n(400), microsoft: n(400), caldav: n(200), pushChanges: n(5_000), caldavChanges: n(1_000), burstSeconds: 60, connectConcurrency: 8 };
  const report = await runLoad({ ...options, log: (line) => console.log(`  ${line}`) });
  const { burst, round } = report.phases;
  const changes = report.events.expected - options.caldavChanges;
  const costRow = (name: string, cost: PhaseCost, count: number): (string | number)[] => [
    name,
    count,
    per(cost.providerCalls.google + cost.providerCalls.graph + cost.providerCalls.caldav, count),
    per(sum(cost.dynamo.requests), count),
    per(cost.dynamo.writeUnits, count),
    per(cost.dynamo.readUnits, count),
    per(sum(cost.invocations), count),
  ];
  const peak = report.queueDepth.reduce((max, sample) => ({ sync: Math.max(max.sync, sample.sync), fanout: Math.max(max.fanout, sample.fanout), delivery: Math.max(max.delivery, sample.delivery) }), { sync: 0, fanout: 0, delivery: 0 });
  const depthEvery = Math.max(1, Math.ceil(report.queueDepth.length / 12));
  return [
    {
      title: `Load: ${options.google + options.microsoft + options.caldav} connections, ${options.pushChanges} pushed changes in ${options.burstSeconds} s, one scheduler round`,
      columns: ['what', 'value'],
      rows: [
        ['connections (Google / Graph / CalDAV)', `${options.google} / ${options.microsoft} / ${options.caldav}, connected and first-synced in ${report.connections.seconds.toFixed(0)} s`],
        ['burst', `${report.burst.changes} changes made in ${report.burst.seconds.toFixed(1)} s, every queue idle ${report.burst.settledSeconds.toFixed(1)} s after the first`],
        ['scheduler round', `${report.schedulerRound.calendars} calendars due, all synced (${options.caldavChanges} CalDAV changes found) in ${report.schedulerRound.seconds.toFixed(1)} s`],
        ['domain events', `${report.events.domainEvents} for ${report.events.expected} changes: lost ${report.events.lost}, duplicates ${report.events.duplicates}, unexpected ${report.events.unexpected}`],
        ['webhook deliveries (1 endpoint)', `${report.deliveries.received} distinct of ${report.deliveries.expected}: lost ${report.deliveries.lost}, duplicate ids ${report.deliveries.duplicateIds}`],
        ['dead-lettered', report.deadLettered],
        ['peak queue depth (sync / fan-out / delivery)', `${peak.sync} / ${peak.fanout} / ${peak.delivery}`],
        ['queue depth over time (s: sync/fan-out/delivery)', report.queueDepth.filter((_, index) => index % depthEvery === 0).map((s) => `${s.atSecond}: ${s.sync}/${s.fanout}/${s.delivery}`).join(', ')],
        ['provider calls, burst (Google / Graph / CalDAV)', `${burst.providerCalls.google} / ${burst.providerCalls.graph} / ${burst.providerCalls.caldav}`],
        ['provider calls, round (Google / Graph / CalDAV)', `${round.providerCalls.google} / ${round.providerCalls.graph} / ${round.providerCalls.caldav}`],
        ['DynamoDB requests, burst', JSON.stringify(burst.dynamo.requests)],
        ['DynamoDB requests, round', JSON.stringify(round.dynamo.requests)],
        ['Lambda invocations, burst', JSON.stringify(burst.invocations)],
        ['Lambda invocations, round', JSON.stringify(round.invocations)],
      ],
      notes: [
        'Whole local stack in one process on loopback: the real handlers, DynamoDB Local behind a counting proxy, the Google and Graph simulators (pushes to /hooks/*), a real Radicale behind a counting proxy, a webhook receiver.',
        'DynamoDB units are estimated from bytes on the wire (writes: request bytes / 1 KB, reads: response bytes / 4 KB, at least 1 per request), an upper bound of what on-demand bills.',
      ],
    },
    {
      title: 'Load: cost per unit of work (inputs of the capacity model)',
      columns: ['unit', 'count', 'provider calls', 'DynamoDB requests', 'write units', 'read units', 'Lambda invocations'],
      rows: [costRow('pushed change (push → sync → event → fan-out → delivery)', burst, changes), costRow('scheduled sync of a calendar (mostly unchanged)', round, report.schedulerRound.calendars)],
      notes: ['Per pushed change includes the webhook delivery to one endpoint; per scheduled sync includes the CalDAV changes the round found.'],
    },
  ];
}
