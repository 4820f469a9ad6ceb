// Booking latency and DynamoDB write units per booking on the local stack (issue 12 benchmark): the real
// api-bookings handler over HTTP, DynamoDB Local, the sandbox Google simulator as the host's calendar. Each
// POST /v1/bookings re-checks the slot in the store and live at Google (freeBusy), records its attempt,
// claims the granules (TransactWriteItems), writes the event to Google, confirms, links and stores the
// booking. Write units are what DynamoDB reports (ReturnConsumedCapacity: TOTAL on every write, added by a
// client middleware), split into the request itself and what follows it in the background (the event's
// way through the bus: the orphan check, webhook fan-out, a sync after the push).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../../infra/local/local-stack.ts';
import { dynamoDocument } from '../../shared/runtime/deps/storage.ts';
import type { BenchTable } from './run.ts';
import { median, percentile } from './support.ts';

const BOOKINGS = Number(process.env.BOOKINGS_BENCH_COUNT ?? 100);
const WARMUP = 5;
const DAY = 86_400_000;
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem', 'Put', 'Update', 'Delete', 'TransactWrite', 'BatchWrite']);

interface Capacity {
  CapacityUnits?: number;
}

export default async function bench(): Promise<BenchTable> {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET']) delete process.env[name];
  process.env.LOG_LEVEL ??= 'ERROR';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-bookings-'));
  const stack = await startLocalStack({ port: 0, dataDir, schedules: false, sandbox: 'on', log: () => {} });
  try {
    // Per phase (the request, or the background after it) and command: calls, items written, reported units.
    type Tally = { calls: number; items: number; units: number };
    const tallies = { request: new Map<string, Tally>(), background: new Map<string, Tally>() };
    let phase: 'request' | 'background' | null = null;
    dynamoDocument().middlewareStack.add(
      (next, context) => async (args) => {
        const name = (context.commandName ?? '').replace(/Command$/, '');
        const write = WRITES.has(name);
        const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]>; Key?: { sk?: unknown }; Item?: { sk?: unknown } };
        // Which kind of item a single write touches: its sort key's prefix (CAL, BKG, IDEM, …).
        const sk = input.Key?.sk ?? input.Item?.sk;
        const skText = typeof sk === 'string' ? sk : (sk as { S?: string } | undefined)?.S;
        const command = skText ? `${name}(${skText.split('#')[0]})` : name;
        if (write) input.ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        if (write && phase) {
          const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
          const reported = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);
          const items = input.TransactItems?.length ?? (input.RequestItems ? Object.values(input.RequestItems).reduce((n, list) => n + list.length, 0) : 1);
          const tally = tallies[phase].get(command) ?? { calls: 0, items: 0, units: 0 };
          tallies[phase].set(command, { calls: tally.calls + 1, items: tally.items + items, units: tally.units + reported });
        }
        return result;
      },
      { step: 'initialize', name: 'benchWriteUnits' },
    );
    const api = (pathname: string, init: RequestInit = {}) =>
      fetch(`${stack.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${stack.devToken}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
    const json = async <T>(response: Response, status: number): Promise<T> => {
      if (response.status !== status) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };

    const { authorizationUrl } = await json<{ authorizationUrl: string }>(await api('/v1/connections/google/authorize', { method: 'POST', body: '{}' }), 200);
    const consent = await fetch(authorizationUrl, { redirect: 'manual' });
    const connectionId = (await json<{ connection: { id: string } }>(await fetch(consent.headers.get('location')!, { redirect: 'manual' }), 200)).connection.id;
    let calendarId: string | null = null;
    for (let i = 0; i < 600 && !calendarId; i++) {
      const list = (await json<{ items: { id: string; isPrimary: boolean; lastSyncedAt: string | null }[] }>(await api(`/v1/connections/${connectionId}/calendars`), 200)).items;
      calendarId = list.find((c) => c.isPrimary && c.lastSyncedAt)?.id ?? null;
      if (!calendarId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!calendarId) throw new Error('the sandbox calendar never synced');
    const schedule = await json<{ id: string }>(
      await api('/v1/schedules', { method: 'POST', body: JSON.stringify({ name: 'Always', timeZone: 'UTC', weekly: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })) }) }),
      201,
    );
    const bookingTypeId = (
      await json<{ id: string }>(
        await api('/v1/booking-types', { method: 'POST', body: JSON.stringify({ name: 'Bench', durationMinutes: 30, assignment: 'collective', hosts: [{ calendarIds: [calendarId], scheduleId: schedule.id, writeCalendarId: calendarId }] }) }),
        201,
      )
    ).id;
    // Free slots from day +25 on (clear of the sandbox's seeded meetings), every other one so bookings do not touch.
    const from = Math.floor(Date.now() / DAY) * DAY + 25 * DAY;
    const slots = (await json<{ slots: { start: string }[] }>(await api(`/v1/booking-types/${bookingTypeId}/slots?start=${new Date(from).toISOString()}&end=${new Date(from + 10 * DAY).toISOString()}`), 200)).slots.filter((_, i) => i % 2 === 0);
    if (slots.length < BOOKINGS + WARMUP) throw new Error(`only ${slots.length} free slots`);

    const settle = async () => {
      for (const queue of Object.values(stack.queues)) await queue.waitUntilIdle(30_000, 1_000);
    };
    const latencies: number[] = [];
    // The baseline in the same run (performance.md): a bare event create through the same local stack — the
    // event write a booking makes (JWT, idempotency record, the Google write, the store mirror, the bus), without
    // the slot checks, claims, attempt and booking records. Interleaved with the bookings so drift hits both.
    const baseline: number[] = [];
    const eventFrom = from + 40 * DAY;
    for (let i = 0; i < WARMUP + BOOKINGS; i++) {
      await settle();
      const start = eventFrom + i * 3_600_000;
      const startedEvent = performance.now();
      await json(
        await api(`/v1/calendars/${calendarId}/events`, {
          method: 'POST',
          headers: { 'idempotency-key': `bench-event-${i}` },
          body: JSON.stringify({ title: `Bench: event ${i}`, start: new Date(start).toISOString(), end: new Date(start + 30 * 60_000).toISOString(), attendees: [{ email: `bench-event-${i}@example.com`, name: `Bench ${i}` }] }),
        }),
        201,
      );
      if (i >= WARMUP) baseline.push(performance.now() - startedEvent);
      await settle();
      const counted = i >= WARMUP;
      phase = counted ? 'request' : null;
      const started = performance.now();
      await json(await api('/v1/bookings', { method: 'POST', headers: { 'idempotency-key': `bench-${i}` }, body: JSON.stringify({ bookingTypeId, start: slots[i]!.start, invitee: { name: `Bench ${i}`, email: `bench-${i}@example.com`, timeZone: 'Europe/Berlin' } }) }), 201);
      const elapsed = performance.now() - started;
      phase = counted ? 'background' : null;
      await settle();
      phase = null;
      if (counted) latencies.push(elapsed);
    }
    await settle();
    const perBooking = (value: number) => (value / BOOKINGS).toFixed(1);
    const total = (tally: Map<string, Tally>, field: keyof Tally) => [...tally.values()].reduce((sum, t) => sum + t[field], 0);
    const breakdown = (tally: Map<string, Tally>) => [...tally].sort((a, b) => b[1].items - a[1].items).map(([command, t]) => `${command} ${perBooking(t.calls)} calls / ${perBooking(t.items)} items / ${perBooking(t.units)} units`).join('; ');
    // DynamoDB Local under-reports transactions; AWS bills each transactional item ≤ 1 KB (claims are ~200 B) 2 units.
    const awsEstimate = (tally: Map<string, Tally>) => [...tally].reduce((sum, [command, t]) => sum + (command.startsWith('TransactWrite') ? 2 * t.items : t.units), 0);
    return {
      title: `Bookings on the local stack: ${BOOKINGS} sequential POST /v1/bookings (Google simulator, DynamoDB Local)`,
      columns: ['what', 'value'],
      rows: [
        ['baseline: bare event create (POST /v1/calendars/{id}/events) p50 / p99 (ms)', `${median(baseline).toFixed(1)} / ${percentile(baseline, 99).toFixed(1)}`],
        ['booking latency p50 (ms)', `${median(latencies).toFixed(1)} (${(median(latencies) / median(baseline)).toFixed(2)}× the baseline)`],
        ['booking latency p99 (ms)', `${percentile(latencies, 99).toFixed(1)} (${(percentile(latencies, 99) / percentile(baseline, 99)).toFixed(2)}× the baseline p99)`],
        ['booking latency max (ms)', Math.max(...latencies).toFixed(1)],
        ['DynamoDB write units per booking, in the request (reported)', perBooking(total(tallies.request, 'units'))],
        ['DynamoDB items written per booking, in the request', perBooking(total(tallies.request, 'items'))],
        ['  by command', breakdown(tallies.request)],
        ['DynamoDB write units per booking, in the request (as AWS bills: transactional items 2 each)', perBooking(awsEstimate(tallies.request))],
        ['DynamoDB write units per booking, afterwards (reported)', perBooking(total(tallies.background, 'units'))],
        ['DynamoDB items written per booking, afterwards', perBooking(total(tallies.background, 'items'))],
        ['  by command', breakdown(tallies.background)],
      ],
      notes: [
        `${WARMUP} warm-up bookings not counted; queues idle before each booking, so each one is measured alone.`,
        'A 30-minute booking claims 6 five-minute granules in one TransactWriteItems and confirms them in another: 12 transactional items, which AWS bills 2 units each.',
        'Reported units are what DynamoDB Local answers to ReturnConsumedCapacity: by item size rounded up to 1 KB (the item kind in brackets is the prefix of its sort key); its transaction figure is low, hence the AWS estimate row.',
      ],
    };
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
