import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventBridgeEnvelope } from '../../../infra/local/local-event-bus.ts';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { BookingTimerPayload } from '../../../shared/domain/booking-timers.ts';
import { toBookingView, type Booking } from '../../../shared/domain/booking.ts';
import { domainEvent, type DomainEvent } from '../../../shared/domain/domain-events.ts';
import { InProcessOneTimeScheduler } from '../../../shared/messaging/in-process-one-time-scheduler.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import { resetConfig } from '../../../shared/runtime/config.ts';
import { resetDependencies } from '../../../shared/runtime/deps/lazy.ts';
import { clearRuntimeOverrides, setRuntimeOverrides } from '../../../shared/runtime/deps/overrides.ts';
import { DynamoBookingStore } from '../../../shared/storage/dynamo-booking-store.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';

/** The two thin functions as Lambda runs them: booking-schedules on SQS records, booking-timer on a schedule's input. */
const T0 = Date.parse('2027-05-03T08:00:00Z');
const MIN = 60_000;
const TENANT = 'handler-tenant';

let table: TestTable;
let bookings: DynamoBookingStore;
const clock = { ms: T0, now: () => new Date(clock.ms) };
const published: DomainEvent[] = [];
const sent: QueueMessage<unknown>[] = [];
const fired: BookingTimerPayload[] = [];
const timers = new InProcessOneTimeScheduler<BookingTimerPayload>({ clock, fire: async (payload) => void fired.push(payload) });
const schedulesQueue: JobQueue<unknown> = { send: async (messages) => void sent.push(...messages), changeVisibility: async () => {} };

let schedulesHandler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let timerHandler: (event: unknown) => Promise<{ outcome: string }>;

beforeAll(async () => {
  table = await createTestTable('booking-timer-handlers');
  Object.assign(process.env, { RUNTIME_MODE: 'local', DYNAMODB_ENDPOINT: table.endpoint, TABLE_NAME: table.tableName });
  resetConfig();
  resetDependencies();
  setRuntimeOverrides({ clock, timers, publisher: { publish: async (events) => void published.push(...events) }, queues: { 'booking-schedules': schedulesQueue } });
  bookings = new DynamoBookingStore({ doc: table.doc, tableName: table.tableName });
  schedulesHandler = (await import('../../../functions/booking-schedules/handler.ts')).handler;
  timerHandler = (await import('../../../functions/booking-timer/handler.ts')).handler;
}, 60_000);
afterAll(() => {
  clearRuntimeOverrides();
  resetDependencies();
});

function booking(id: string, startMs: number): Booking {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    tenantId: TENANT,
    id,
    bookingTypeId: 'bkt_h',
    status: 'confirmed',
    start: iso(startMs),
    end: iso(startMs + 30 * MIN),
    hosts: [{ calendarId: 'cal_h', writeCalendarId: 'cal_h' }],
    room: null,
    invitee: { name: 'Ida', email: 'ida@example.com', timeZone: 'UTC' },
    conference: { provider: 'none', joinUrl: null },
    providerEvents: [],
    reminders: [{ minutesBefore: 15, channels: ['email'], to: 'invitee' }],
    createdAt: iso(T0),
    updatedAt: iso(T0),
    version: 1,
    hostIndex: 0,
    claim: { resources: [], ranges: [] },
    history: [],
  };
}

function sqs(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:booking-schedules',
      awsRegion: 'us-east-1',
    })),
  };
}

const timersOf = (bookingId: string) => timers.pending().filter((t) => t.payload.bookingId === bookingId).map((t) => [t.payload.kind, Date.parse(t.at)]);

describe('booking-schedules and booking-timer handlers', () => {
  it('booking.created (from the bus) and a rescheduled one from the calendar set and move the timers; a non-booking event is a poison message', async () => {
    const created = booking('bkg_HANDLER1', T0 + 2 * 60 * MIN);
    await bookings.create(created);
    const result = await schedulesHandler(sqs(toEventBridgeEnvelope(domainEvent('booking.created', TENANT, { booking: toBookingView(created), source: 'api' }))));
    expect(result.batchItemFailures).toEqual([]);
    expect(timersOf(created.id)).toEqual([['reminder', T0 + 105 * MIN], ['completed', T0 + 150 * MIN]]);

    const moved = { ...booking(created.id, T0 + 4 * 60 * MIN) };
    await bookings.replace(moved, 1);
    const rescheduled = domainEvent('booking.rescheduled', TENANT, { booking: toBookingView(moved), source: 'calendar', previous: { start: created.start, end: created.end } });
    const sync = domainEvent('calendar.sync.completed', TENANT, { connectionId: 'c', calendarId: 'k', mode: 'full', resynced: false, created: 0, updated: 0, deleted: 0, unchanged: 0, pages: 1, durationMs: 1 });
    const second = await schedulesHandler(sqs(toEventBridgeEnvelope(rescheduled), toEventBridgeEnvelope(sync)));
    expect(second.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(timersOf(created.id)).toEqual([['reminder', T0 + 225 * MIN], ['completed', T0 + 270 * MIN]]);
  });

  it('booking-timer sends once, asks for a resync when early, and refuses a payload that is no timer', async () => {
    const stored = booking('bkg_HANDLER2', T0 + 60 * MIN);
    await bookings.create(stored);
    const payload: BookingTimerPayload = { tenantId: TENANT, bookingId: stored.id, kind: 'reminder', occurrence: 0, reminder: 0 };

    clock.ms = T0 + 20 * MIN;
    expect(await timerHandler(payload)).toEqual({ outcome: 'resync' });
    expect(sent.map((m) => m.body)).toEqual([{ resync: { tenantId: TENANT, bookingId: stored.id } }]);
    // The resync message is one the booking-schedules consumer accepts.
    expect((await schedulesHandler(sqs(sent[0]!.body))).batchItemFailures).toEqual([]);
    expect(timersOf(stored.id)).toEqual([['reminder', T0 + 45 * MIN], ['completed', T0 + 90 * MIN]]);

    clock.ms = T0 + 45 * MIN + 20_000;
    expect(await timerHandler(payload)).toEqual({ outcome: 'sent' });
    expect(await timerHandler(payload)).toEqual({ outcome: 'duplicate' });
    expect(published.filter((e) => e.type === 'booking.reminder_due').map((e) => (e.data as { booking: { id: string } }).booking.id)).toEqual([stored.id]);

    const refused = await timerHandler({ bookingId: stored.id }).catch((error: unknown) => error);
    expect(isAppError(refused, 'input.invalid')).toBe(true);
    expect((refused as { retryable: boolean }).retryable).toBe(false);
  });
});
