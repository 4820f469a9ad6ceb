import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseDomainEvent, type DomainEvent } from '../../shared/domain/domain-events.ts';
import { processSqsBatch } from '../../shared/messaging/sqs-batch.ts';
import { bookingDeps } from '../../shared/runtime/deps/bookings.ts';
import { jobQueue } from '../../shared/runtime/deps/messaging.ts';
import { logger, withLambdaContext } from '../../shared/runtime/logger.ts';
import { applyCalendarChange } from '../../shared/use-cases/bookings/apply-calendar-change.ts';
import { reconcileBookingEvent } from '../../shared/use-cases/bookings/reconcile-orphan-event.ts';
import { removeBookingMeetingLink } from '../../shared/use-cases/bookings/remove-meeting-link.ts';
import { removeEventMeetingLink } from '../../shared/use-cases/events/remove-zoom-link.ts';

/** An EventBridge rule with an SQS target puts the whole EventBridge event in the body; ours is its `detail`. */
const EventBridgeBody = z.object({ 'detail-type': z.string(), detail: z.unknown() });

type ChangeEvent = DomainEvent<'calendar.event.created'> | DomainEvent<'calendar.event.updated'> | DomainEvent<'calendar.event.deleted'> | DomainEvent<'video.meeting.deleted'>;

/**
 * Calendar-side edits of booking events (calendar.event.updated / deleted; created for a new instance
 * exception) → the booking follows; new events carrying a booking marker without a booking (orphans of a
 * crashed attempt) → adopted or deleted; a Zoom meeting deleted in Zoom (video.meeting.deleted, source
 * provider) → its dead join URL taken off the booking's calendar event, or the plain event it was made for.
 */
async function handleInvocation(event: SQSEvent): Promise<SQSBatchResponse> {
  return processSqsBatch<ChangeEvent>(event, {
    parse: (body) => {
      const domainEvent = parseDomainEvent(EventBridgeBody.parse(JSON.parse(body)).detail);
      if (domainEvent.type !== 'calendar.event.updated' && domainEvent.type !== 'calendar.event.deleted' && domainEvent.type !== 'calendar.event.created' && domainEvent.type !== 'video.meeting.deleted') {
        throw new Error(`not a calendar event change: ${domainEvent.type}`);
      }
      return domainEvent as ChangeEvent;
    },
    // Changes of one event are applied in order, one at a time.
    groupKey: (change) => {
      if (change.type !== 'video.meeting.deleted') return `${change.tenantId}/${change.data.event.id}`;
      // A plain event's meeting: in line with that event's own changes.
      return change.data.bookingId ? `${change.tenantId}/booking/${change.data.bookingId}` : `${change.tenantId}/${change.data.calendarEvent?.eventId ?? change.data.meetingId}`;
    },
    handle: async (entries) => {
      for (const entry of entries.sort((a, b) => a.item.time.localeCompare(b.item.time))) {
        const change = entry.item;
        if (change.type === 'video.meeting.deleted') {
          const outcome = change.data.bookingId ? await removeBookingMeetingLink(bookingDeps(), change) : await removeEventMeetingLink(bookingDeps(), change);
          if (outcome !== 'ignored') logger.info('zoom meeting deleted in zoom', { bookingId: change.data.bookingId, eventId: change.data.calendarEvent?.eventId ?? null, outcome });
          continue;
        }
        if (change.type === 'calendar.event.created') {
          const orphan = await reconcileBookingEvent(bookingDeps(), change);
          if (orphan !== 'not_a_booking_event' && orphan !== 'booked') {
            logger.info('booking event without a booking', { eventId: change.data.event.id, outcome: orphan });
            continue;
          }
        }
        const outcome = await applyCalendarChange(bookingDeps(), change);
        if (outcome !== 'not_a_booking') logger.info('calendar change of a booking', { eventId: change.data.event.id, outcome });
      }
    },
    queue: jobQueue('booking-lifecycle'),
    concurrency: 5,
    log: logger,
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
