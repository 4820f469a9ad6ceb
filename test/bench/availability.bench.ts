// Availability (performance.md): 10 participants × 2,000 events each over 30 days, 30-minute slots, buffers,
// against a naive per-slot object scan in the same run; then the DynamoDB reads one query costs on DynamoDB
// Local. Run with `npm run bench availability`.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { availableParallelism, loadavg } from 'node:os';
import type { CalendarEvent } from '../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../shared/domain/calendar.ts';
import type { Schedule } from '../../shared/domain/schedule.ts';
import { CalendarRecurrenceExpander } from '../../shared/recurrence/calendar-recurrence-expander.ts';
import { DynamoCalendarStore } from '../../shared/storage/dynamo-calendar-store.ts';
import { createDynamoDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { DynamoEventStore } from '../../shared/storage/dynamo-event-store.ts';
import { collectBusyTime } from '../../shared/use-cases/availability/busy-time.ts';
import { findAvailability, type AvailabilityQuery } from '../../shared/use-cases/availability/find-availability.ts';
import { TestClock, testCalendar, testConnection } from '../support/stores.ts';
import { InMemorySchedules } from '../unit/availability/support/harness.ts';
import { InMemoryCalendars, InMemoryEventStore, allDay, storedEvent, timed } from '../unit/read-side/support.ts';
import type { BenchTable } from './run.ts';
import { benchStores, median } from './support.ts';

const PARTICIPANTS = 10;
const EVENTS_PER_PARTICIPANT = 2_000;
const DAYS = 30;
const RUNS = 15;
const NAIVE_RUNS = 3;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TENANT = 'bench';
const RANGE_START = Date.parse('2027-03-15T00:00:00Z'); // spans Europe's spring-forward day (2027-03-28)
const RANGE_END = RANGE_START + DAYS * DAY_MS;
/** Required participants share some working hours (Europe and New York); the two optional ones live far away. */
const ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
const WINDOWS_PER_DAY = 2;
const REQUIRED = 6;
const ALL_DAY_PER_PARTICIPANT = 1;
const BUFFER_BEFORE = 10;
const BUFFER_AFTER = 5;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Dataset {
  calendars: Calendar[];
  schedules: Schedule[];
  events: CalendarEvent[];
  query: AvailabilityQuery;
}

/** Deterministic: each participant has its own calendar and schedule (09:00–17:00 weekdays in one of five zones). */
/** The bench clock's "now" and the calendars' last full sync. */
const SYNCED_AT = '2027-03-01T00:00:00.000Z';

function buildDataset(): Dataset {
  const random = mulberry32(20_270_315);
  const connection = testConnection(TENANT);
  const calendars: Calendar[] = [];
  const schedules: Schedule[] = [];
  const events: CalendarEvent[] = [];
  for (let p = 0; p < PARTICIPANTS; p++) {
    const zone = ZONES[p % ZONES.length]!;
    // Fully synced at the bench's clock time, so the store answers the whole range (no live provider reads).
    const calendar = testCalendar(connection, { providerCalendarId: `person-${p}`, timeZone: zone, isPrimary: p === 0, cursor: 'synced', lastFullSyncAt: SYNCED_AT, lastSyncedAt: SYNCED_AT });
    calendars.push(calendar);
    schedules.push({
      tenantId: TENANT,
      id: `sch_BENCH${String(p).padStart(21, '0')}`,
      name: `Person ${p}`,
      timeZone: zone,
      weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((day) => [
        { day: day as 'mon', start: '09:00', end: '12:30' },
        { day: day as 'mon', start: '13:30', end: '17:00' },
      ]),
      overrides: [{ date: '2027-03-26', ranges: [] }],
      createdAt: '2027-01-01T00:00:00Z',
      updatedAt: '2027-01-01T00:00:00Z',
      version: 1,
    });
    // 5 weekly series (with a moved and a cancelled instance each), 5 all-day events, the rest timed singles
    // on a 5-minute grid, 15 minutes to 2 hours, around the clock (other zones' colleagues book at night too).
    for (let s = 0; s < 5; s++) {
      const first = Date.parse('2027-03-01T00:00:00Z') + s * DAY_MS + (8 + Math.floor(random() * 9)) * 3_600_000;
      const master = storedEvent(calendar, `${calendar.id}-w${s}`, { kind: 'master', ...timed(iso(first), iso(first + 3_600_000), zone), recurrence: ['RRULE:FREQ=WEEKLY'] });
      const moved = first + 3 * 7 * DAY_MS;
      const cancelled = first + 4 * 7 * DAY_MS;
      const exception = (id: string, originalMs: number, startMs: number, status: CalendarEvent['status']) =>
        storedEvent(calendar, id, {
          kind: 'exception',
          providerEventId: `${master.providerEventId}_${originalMs}`,
          recurringEventId: master.providerEventId,
          originalStart: { dateTime: iso(originalMs), timeZone: zone },
          ...timed(iso(startMs), iso(startMs + 3_600_000), zone),
          status,
        });
      events.push(master, exception(`${master.id}-moved`, moved, moved + 2 * 3_600_000, 'confirmed'), exception(`${master.id}-cancelled`, cancelled, cancelled, 'cancelled'));
    }
    for (let d = 0; d < ALL_DAY_PER_PARTICIPANT; d++) {
      const day = iso(RANGE_START + Math.floor(random() * DAYS) * DAY_MS).slice(0, 10);
      events.push(storedEvent(calendar, `${calendar.id}-d${d}`, allDay(day, iso(Date.parse(`${day}T00:00:00Z`) + DAY_MS).slice(0, 10))));
    }
    // The rest are timed singles in clusters: a few busy windows a day (30–90 minutes, anywhere in the 24
    // hours: colleagues in other zones book at night too), each holding many overlapping 5–30-minute events,
    // as busy shared calendars look. 5 % are transparent.
    const singles = EVENTS_PER_PARTICIPANT - events.filter((e) => e.calendarId === calendar.id).length;
    const windows = Array.from({ length: DAYS * WINDOWS_PER_DAY }, (_, w) => {
      const start = RANGE_START + Math.floor(w / WINDOWS_PER_DAY) * DAY_MS + Math.floor(random() * 288) * 300_000;
      return { start, minutes: 30 + 5 * Math.floor(random() * 13) };
    });
    for (let i = 0; i < singles; i++) {
      const window = windows[i % windows.length]!;
      const minutes = 5 * (1 + Math.floor(random() * 6));
      const start = window.start + 5 * MINUTE_MS * Math.floor(random() * Math.max(1, (window.minutes - minutes) / 5));
      const transparent = random() < 0.05;
      events.push(storedEvent(calendar, `${calendar.id}-s${i}`, { ...timed(iso(start), iso(start + minutes * MINUTE_MS), zone), ...(transparent ? { transparency: 'transparent' as const } : {}) }));
    }
  }
  return {
    calendars,
    schedules,
    events,
    query: {
      tenantId: TENANT,
      participants: calendars.map((calendar, p) => ({ calendarIds: [calendar.id], scheduleId: schedules[p]!.id, required: p < REQUIRED })),
      mode: 'collective',
      start: iso(RANGE_START),
      end: iso(RANGE_END),
      durationMinutes: 30,
      bufferBeforeMinutes: BUFFER_BEFORE,
      bufferAfterMinutes: BUFFER_AFTER,
      maxResults: 1000,
    },
  };
}

/**
 * The naive anchor: for every 30-minute start of the range, for every participant, check its working hours
 * through Intl (wall time of the slot's minutes) and scan all its busy events as objects with ISO parsing.
 * Series are handed over pre-expanded (the naive side gets that for free).
 */
function naiveSlots(data: Dataset, busyObjects: Map<string, { start: string; end: string }[]>): string[] {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const wall = (zone: string, ms: number) => {
    let format = formatters.get(zone);
    if (!format) formatters.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
    const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
    return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: parts.weekday!.toLowerCase(), time: `${parts.hour}:${parts.minute}` };
  };
  const inSchedule = (schedule: Schedule, ms: number) => {
    const local = wall(schedule.timeZone, ms);
    const override = schedule.overrides.find((o) => o.date === local.date);
    const ranges = override ? override.ranges : schedule.weekly.filter((r) => r.day === local.weekday);
    return ranges.some((r) => local.time >= r.start && local.time < r.end);
  };
  const out: string[] = [];
  for (let t = RANGE_START; t + 30 * MINUTE_MS <= RANGE_END; t += 30 * MINUTE_MS) {
    const slot = { start: t - BUFFER_BEFORE * MINUTE_MS, end: t + (30 + BUFFER_AFTER) * MINUTE_MS };
    let ok = true;
    data.query.participants.forEach((participant, p) => {
      if (!ok || participant.required === false) return;
      const schedule = data.schedules[p]!;
      for (let m = t; m < t + 30 * MINUTE_MS; m += 15 * MINUTE_MS) if (!inSchedule(schedule, m)) ok = false;
      if (!ok) return;
      for (const busy of busyObjects.get(participant.calendarIds![0]!)!) {
        if (Date.parse(busy.start) < slot.end && Date.parse(busy.end) > slot.start) {
          ok = false;
          break;
        }
      }
    });
    if (ok) out.push(iso(t).replace('.000Z', 'Z'));
  }
  return out;
}

interface Timing {
  /** Median wall-clock ms. */
  wall: number;
  /** Median CPU ms of the process (all threads): what the work costs when other processes share the cores. */
  cpu: number;
}

async function medianOf(runs: number, run: () => Promise<unknown> | unknown): Promise<Timing> {
  await run();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await run();
    walls.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** Counts DynamoDB Query calls (one per page) and the items they returned. */
function countQueries(doc: DynamoDBDocumentClient) {
  const counts = { queries: 0, items: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        counts.queries += 1;
        counts.items += ((result.output as { Items?: unknown[] }).Items ?? []).length;
      }
      return result;
    },
    { step: 'initialize', name: 'benchQueryCounter' },
  );
  return counts;
}

export default async function bench(): Promise<BenchTable> {
  const data = buildDataset();
  const events = new InMemoryEventStore();
  // Decoded objects in the store's answer order, as a DynamoDB read would hand them over.
  await events.putMany(JSON.parse(JSON.stringify(data.events)) as CalendarEvent[]);
  const schedules = new InMemorySchedules();
  for (const schedule of data.schedules) schedules.put(schedule);
  const clock = new TestClock(SYNCED_AT);
  const expander = new CalendarRecurrenceExpander();
  const deps = { calendars: new InMemoryCalendars(data.calendars), events, expander, schedules, clock };

  // The busy time the naive side scans: every event that blocks, series expanded, as ISO objects.
  const busyObjects = new Map<string, { start: string; end: string }[]>();
  const zoneOf = (calendarId: string) => data.schedules[data.calendars.findIndex((c) => c.id === calendarId)]!.timeZone;
  for (const occurrence of expander.expand(data.events, { start: new Date(RANGE_START - DAY_MS), end: new Date(RANGE_END + DAY_MS) }, zoneOf)) {
    if (occurrence.event.transparency !== 'opaque' || occurrence.event.status === 'cancelled') continue;
    const list = busyObjects.get(occurrence.event.calendarId) ?? [];
    list.push({ start: iso(occurrence.startMs), end: iso(occurrence.endMs) });
    busyObjects.set(occurrence.event.calendarId, list);
  }

  // Both must agree before their times mean anything.
  const ours = await findAvailability(deps, data.query);
  const naiveAnswer = naiveSlots(data, busyObjects);
  const oursStarts = ours.slots.map((slot) => slot.start);
  if (JSON.stringify(oursStarts) !== JSON.stringify(naiveAnswer)) throw new Error(`the use-case and the naive scan disagree: ${oursStarts.length} vs ${naiveAnswer.length} slots`);
  if (naiveAnswer.length === 0) throw new Error('no slots: the benchmark would measure nothing');

  const useCase = await medianOf(RUNS, () => findAvailability(deps, data.query));
  // The seam's share: busy time of the same calendars, collected per all-day zone as the use-case does.
  const busyRange = { start: new Date(RANGE_START - BUFFER_BEFORE * MINUTE_MS), end: new Date(RANGE_END + BUFFER_AFTER * MINUTE_MS) };
  const byZone = new Map<string, string[]>();
  data.calendars.forEach((calendar, p) => byZone.set(data.schedules[p]!.timeZone, [...(byZone.get(data.schedules[p]!.timeZone) ?? []), calendar.id]));
  const collect = await medianOf(RUNS, () => Promise.all([...byZone].map(([timeZone, calendarIds]) => collectBusyTime(deps, { tenantId: TENANT, calendarIds, range: busyRange, timeZone }))));
  const storeRead = await medianOf(RUNS, () => events.listInRange(TENANT, data.calendars.map((c) => c.id), { start: new Date(RANGE_START - DAY_MS), end: new Date(RANGE_END + DAY_MS) }));
  const naive = await medianOf(NAIVE_RUNS, () => naiveSlots(data, busyObjects));

  // DynamoDB reads of one query, on DynamoDB Local.
  const local = await benchStores();
  let dynamoRow: (string | number)[];
  let readNote: string;
  try {
    const doc = createDynamoDocumentClient({ region: 'us-east-1', endpoint: local.dynamo.endpoint });
    const counts = countQueries(doc);
    const calendars = new DynamoCalendarStore({ doc, tableName: 'bench' });
    const dynamoEvents = new DynamoEventStore({ doc, tableName: 'bench' });
    for (const calendar of data.calendars) await calendars.put(calendar, null);
    await dynamoEvents.putMany(data.events);
    const dynamoDeps = { ...deps, calendars, events: dynamoEvents };
    counts.queries = 0;
    counts.items = 0;
    const fromDynamo = await findAvailability(dynamoDeps, data.query);
    if (JSON.stringify(fromDynamo.slots) !== JSON.stringify(ours.slots)) throw new Error('DynamoDB-backed answer differs from the in-memory one');
    const { queries, items } = counts;
    const bytes = data.events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    // One timed run: DynamoDB Local (Java + SQLite) is far slower than DynamoDB, so this row shows shape, not speed.
    const started = performance.now();
    await findAvailability(dynamoDeps, data.query);
    const dynamoMs = performance.now() - started;
    dynamoRow = ['the same query on DynamoDB Local, reads included (one run; CPU not measured: the database is another process)', dynamoMs.toFixed(1), '–', (dynamoMs / useCase.wall).toFixed(1), '–'];
    readNote = `DynamoDB reads per query: ${queries} Query pages for ${data.calendars.length} participant-calendars (${(queries / data.calendars.length).toFixed(1)} per calendar: the time-range query on gsi1, paged at 1 MB, plus the one for masters and long events), ${items.toLocaleString('en')} items. The stored events average ${Math.round(bytes / data.events.length)} bytes as JSON, so ${EVENTS_PER_PARTICIPANT.toLocaleString('en')} of them are ≈ ${(bytes / PARTICIPANTS / 1_048_576).toFixed(1)} MB per calendar. DynamoDB pages a Query at 1 MB of items read, before any ProjectionExpression or filter, so ≤ 1 page per participant-calendar (performance.md) needs smaller items in the time index. The store's numeric busy projection (listBusyInRange) removes the CPU cost of decoding, but gsi1 still projects whole items, so the pages stay; a busy-only index (INCLUDE projection of the busy columns, masters fetched separately) would bring it to one page. This bench counts whatever collectBusyTime reads.`;
  } finally {
    await local.stop();
  }

  const row = (name: string, t: Timing): (string | number)[] => [name, t.wall.toFixed(2), t.cpu.toFixed(1), (t.wall / useCase.wall).toFixed(2), (naive.cpu / t.cpu).toFixed(1)];
  // Not measured on its own (the use-case calls the seam itself): the difference of two medians, so on a busy
  // machine it can come out at or below zero, which says nothing; then it is shown as a dash.
  const derived = (name: string, wall: number, cpu: number): (string | number)[] => [
    name,
    wall > 0 ? `≈ ${wall.toFixed(2)}` : '–',
    cpu > 0 ? `≈ ${cpu.toFixed(1)}` : '–',
    wall > 0 ? (wall / useCase.wall).toFixed(2) : '–',
    cpu > 0 ? (naive.cpu / cpu).toFixed(1) : '–',
  ];
  return {
    title: `Availability: ${PARTICIPANTS} participants × ${EVENTS_PER_PARTICIPANT.toLocaleString('en')} events, ${DAYS} days, 30-minute slots, buffers ${BUFFER_BEFORE}/${BUFFER_AFTER} min (median of ${RUNS})`,
    columns: ['What', 'Median wall ms', 'Median CPU ms', '× use-case (wall)', 'naive ÷ this (CPU)'],
    rows: [
      row('findAvailability over in-memory stores (busy collection, schedules, slot search)', useCase),
      row('    part of it: collectBusyTime (the seam: store read, parsing, expansion, merge), per zone group', collect),
      row('    part of that: the in-memory store read', storeRead),
      derived('    the rest (use-case minus collectBusyTime): schedules, working hours, buffers, set arithmetic, slot search, output', useCase.wall - collect.wall, useCase.cpu - collect.cpu),
      row(`naive anchor: per 30-minute slot, per participant, Intl wall time + scan of event objects (median of ${NAIVE_RUNS})`, naive),
      dynamoRow,
    ],
    notes: [
      `Target (performance.md): ≤ 50 ms compute. Measured ${useCase.wall.toFixed(1)} ms wall, ${useCase.cpu.toFixed(1)} ms CPU (${((collect.cpu / useCase.cpu) * 100).toFixed(0)} % of it in collectBusyTime); the naive scan costs ${(naive.cpu / useCase.cpu).toFixed(0)}× as much CPU. Machine load (1-minute average) at the end of the run: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; with other processes on the cores, wall time overstates the cost and CPU time is the figure to compare.`,
      readNote,
      `Data: ${data.events.length.toLocaleString('en')} stored events (per participant 5 weekly series with a moved and a cancelled instance, ${ALL_DAY_PER_PARTICIPANT} all-day event, clustered singles, 5 % of them transparent) in 5 zones, over a range holding Europe's spring-forward day; ${REQUIRED} required participants and ${PARTICIPANTS - REQUIRED} optional; ${ours.slots.length} slots found, equal to the naive scan's before any timing.`,
    ],
  };
}
