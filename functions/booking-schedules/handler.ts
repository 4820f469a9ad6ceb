import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { bookingTimerDeps } from '../../shared/runtime/deps/booking-timers.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { syncBookingTimers } from '../../shared/use-cases/bookings/sync-booking-timers.ts';

/** An EventBridge rule with an SQS target puts the whole EventBridge event in the body; ours is its `detail`. */
const EventBridgeBody = z.object({ 'detail-type': z.string(), detail: z.unknown() });

/** What the booking-timer function queues when a timer fired before its booking's time for it. */
const ResyncBody = z.object({ resync: z.object({ tenantId: z.string(), bookingId: z.string() }) });
const BOOKING_CHANGES = new Set(['booking.created', 'booking.rescheduled', 'booking.cancelled']);

interface BookingRef {
  tenantId: string;
  bookingId: string;
  why: string;
}

function parseBody(body: string): BookingRef {
  const json: unknown = JSON.parse(body);
  const resync = ResyncBody.safeParse(json);
  if (resync.success) return { ...resync.data.resync, why: 'resync' };
  const domainEvent = parseDomainEvent(EventBridgeBody.parse(json).detail) as DomainEvent;
  if (!BOOKING_CHANGES.has(domainEvent.type)) throw new Error(`not a booking change: ${domainEvent.type}`);
  return { tenantId: domainEvent.tenantId, bookingId: (domainEvent as DomainEvent<'booking.created'>).data.booking.id, why: domainEvent.type };
}

/** booking.created / rescheduled / cancelled (and resync requests) → the booking's reminder and completion timers follow it. */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<BookingRef>(event, {
    parse: parseBody,
    // The timers follow the stored booking, so several changes of one booking in a batch need one run.
    groupKey: (ref) => `${ref.tenantId}/${ref.bookingId}`,
    handle: async ([entry]) => {
      const ref = entry!.item;
      const result = await syncBookingTimers(bookingTimerDeps(), { tenantId: ref.tenantId, bookingId: ref.bookingId });
      logger.info('booking timers', { bookingId: ref.bookingId, why: ref.why, ...result });
    },
    queue: jobQueue('booking-schedules'),
    concurrency: 5,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
