import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { bookingDeps } from '../../shared/runtime/deps/bookings.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { logger } from '../../shared/runtime/logger.ts';
import { applyCalendarChange } from '../../shared/use-cases/bookings/apply-calendar-change.ts';

/** An EventBridge rule with an SQS target puts the whole EventBridge event in the body; ours is its `detail`. */
const EventBridgeBody = z.object({ 'detail-type': z.string(), detail: z.unknown() });

type ChangeEvent = DomainEvent<'calendar.event.created'> | DomainEvent<'calendar.event.updated'> | DomainEvent<'calendar.event.deleted'>;

/** Calendar-side edits of booking events (calendar.event.updated / deleted; created for a new instance exception) → the booking follows. */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<ChangeEvent>(event, {
    parse: (body) => {
      const domainEvent = parseDomainEvent(EventBridgeBody.parse(JSON.parse(body)).detail);
      if (domainEvent.type !== 'calendar.event.updated' && domainEvent.type !== 'calendar.event.deleted' && domainEvent.type !== 'calendar.event.created') throw new Error(`not a calendar event change: ${domainEvent.type}`);
      return domainEvent as ChangeEvent;
    },
    // Changes of one event are applied in order, one at a time.
    groupKey: (change) => `${change.tenantId}/${change.data.event.id}`,
    handle: async (entries) => {
      for (const entry of entries.sort((a, b) => a.item.time.localeCompare(b.item.time))) {
        const outcome = await applyCalendarChange(bookingDeps(), entry.item);
        if (outcome !== 'not_a_booking') logger.info('calendar change of a booking', { eventId: entry.item.data.event.id, outcome });
      }
    },
    queue: jobQueue('booking-lifecycle'),
    concurrency: 5,
    log: logger,
  });
}
