import { BookingCancelledData, BookingCreatedData, BookingRescheduledData, BookingView } from './booking.ts';
import * as z from 'zod/mini';
import { CalendarEvent } from './calendar-event.ts';
import { ConnectionStatus, ProviderKind } from './connection.ts';
import { stableId, newId } from './ids.ts';
import { TenantId } from './tenant.ts';
import { Instant } from './timestamps.ts';

/** EventBridge `source` of every domain event. */
export const DOMAIN_EVENT_SOURCE = 'calendar-integrations';

const CalendarEventChangeData = z.object({
  connectionId: z.string(),
  calendarId: z.string(),
  event: CalendarEvent,
  /** Content hash before this change; null for a newly created event. */
  previousContentHash: z.nullable(z.string()),
});

const ConnectionEventData = z.object({
  connectionId: z.string(),
  provider: ProviderKind,
  status: ConnectionStatus,
  accountEmail: z.nullable(z.string()),
  consecutiveErrors: z.int(),
  /** Why, for reauth_required / sync_failed / disabled (never a token or a provider response body). */
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
});

const SyncCompletedData = z.object({
  connectionId: z.string(),
  calendarId: z.string(),
  mode: z.enum(['full', 'incremental']),
  /** True when an invalid cursor forced a full resync in this run. */
  resynced: z.boolean(),
  created: z.int(),
  updated: z.int(),
  deleted: z.int(),
  unchanged: z.int(),
  pages: z.int(),
  durationMs: z.number(),
});

const DeliveryExhaustedData = z.object({
  endpointId: z.string(),
  deliveryId: z.string(),
  /** The `webhook-id` every attempt carried. */
  messageId: z.string(),
  eventType: z.string(),
  eventId: z.string(),
  attempts: z.int(),
  lastStatusCode: z.nullable(z.int()),
  lastError: z.nullable(z.string()),
});

const EndpointDisabledData = z.object({
  endpointId: z.string(),
  url: z.string(),
  reason: z.enum(['gone', 'failing']),
});

/** A video meeting of a booking (`video.meeting.*`): made, moved or deleted by us or in Zoom itself. */
const VideoMeetingData = z.object({
  provider: z.enum(['zoom', 'google_meet', 'microsoft_teams']),
  connectionId: z.string(),
  bookingId: z.nullable(z.string()),
  meetingId: z.string(),
  /** Null on deletion. */
  joinUrl: z.nullable(z.string()),
  /** The meeting's times when known (UTC). */
  start: z.nullable(Instant),
  end: z.nullable(Instant),
  /** `api`: we changed it; `provider`: the host changed it in Zoom (webhook). */
  source: z.enum(['api', 'provider']),
  /** The calendar event a plain event write (`bookingId: null`) put the meeting's link on, when known. */
  calendarEvent: z.optional(z.nullable(z.object({ calendarId: z.string(), eventId: z.string() }))),
});

const VideoQuotaExhaustedData = z.object({
  provider: z.literal('zoom'),
  connectionId: z.string(),
  bookingId: z.nullable(z.string()),
  zoomUserId: z.string(),
  limit: z.int(),
  /** When the provider's daily window restarts (00:00 UTC for Zoom). */
  resetAt: z.nullable(z.string()),
  message: z.string(),
});

const WebhookTestData = z.object({
  endpointId: z.string(),
  message: z.string(),
});

const NotificationOutcomeData = z.object({
  notificationId: z.string(),
  channel: z.enum(['email', 'sms', 'slack', 'whatsapp']),
  /** The address as the delivery log shows it (a Slack hook is masked). */
  recipient: z.string(),
  recipientKind: z.enum(['invitee', 'host', 'operator']),
  bookingId: z.nullable(z.string()),
  /** The domain event the notification was sent for. */
  triggerEventType: z.string(),
  triggerEventId: z.string(),
  providerMessageId: z.nullable(z.string()),
  /** Why it failed, for notification.failed. */
  error: z.nullable(z.object({ code: z.string(), message: z.string() })),
});

const BookingOccurrenceRef = z.object({ index: z.int(), start: z.string(), end: z.string() });

const ReminderDueData = z.object({
  booking: BookingView,
  /** One per booking, reminder offset and occurrence start: the idempotency key of the send. */
  reminderId: z.string(),
  minutesBefore: z.int(),
  channels: z.array(z.enum(['email', 'sms', 'slack', 'whatsapp'])),
  to: z.enum(['invitee', 'hosts', 'all']),
  /** The occurrence it is for (index into booking.occurrences; 0 and the booking's own times when not recurring). */
  occurrence: z.optional(BookingOccurrenceRef),
});

const BookingCompletedData = z.object({
  booking: BookingView,
  /** The occurrence that ended: a recurring booking completes once per occurrence. */
  occurrence: z.optional(BookingOccurrenceRef),
});

/**
 * Every domain event type with its current version and data schema. Adding a field is backwards
 * compatible; removing or changing one means a new version (and a new JSON Schema under events/).
 */
export const DOMAIN_EVENT_TYPES = {
  'calendar.event.created': { version: 1, data: CalendarEventChangeData, description: 'An event appeared in a synced calendar.' },
  'calendar.event.updated': { version: 1, data: CalendarEventChangeData, description: 'A synced event changed in a way a user can see.' },
  'calendar.event.deleted': { version: 1, data: CalendarEventChangeData, description: 'A synced event was deleted or cancelled (the event is its last known state).' },
  'calendar.sync.completed': { version: 1, data: SyncCompletedData, description: 'A calendar sync run finished, with counts.' },
  'connection.created': { version: 1, data: ConnectionEventData, description: 'A calendar account was connected.' },
  'connection.reauth_required': { version: 1, data: ConnectionEventData, description: 'The provider revoked the grant; the user must reconnect.' },
  'connection.sync_failed': { version: 1, data: ConnectionEventData, description: 'A sync of the connection failed (sent after each failure).' },
  'connection.disabled': { version: 1, data: ConnectionEventData, description: 'The connection failed too often and is no longer synced.' },
  'connection.deleted': { version: 1, data: ConnectionEventData, description: 'A calendar account was disconnected.' },
  'webhook.delivery.exhausted': { version: 1, data: DeliveryExhaustedData, description: 'A webhook delivery failed every attempt and is kept for manual redelivery.' },
  'webhook.endpoint.disabled': { version: 1, data: EndpointDisabledData, description: 'A webhook endpoint was disabled (410 Gone, or failing for 5 days).' },
  'webhook.test': { version: 1, data: WebhookTestData, description: 'A test message sent on request to one endpoint.' },
  'booking.created': { version: 1, data: BookingCreatedData, description: 'A booking was made (source api) — data.booking is the booking as GET /v1/bookings/{id} returns it.' },
  'booking.rescheduled': { version: 1, data: BookingRescheduledData, description: 'A booking moved (source api, or calendar when the host moved the event); previous holds the old times.' },
  'booking.cancelled': { version: 1, data: BookingCancelledData, description: 'A booking was cancelled (source api, or calendar when the host deleted the event).' },
  'booking.reminder_due': { version: 1, data: ReminderDueData, description: "A booking reminder's time came (its one-time schedule fired); the reminder is sent once per reminderId." },
  'booking.completed': { version: 1, data: BookingCompletedData, description: 'A confirmed booking (or one occurrence of a recurring one) reached its end time.' },
  'notification.sent': { version: 1, data: NotificationOutcomeData, description: 'A notification (email, SMS, Slack, WhatsApp) was accepted by its provider.' },
  'notification.failed': { version: 1, data: NotificationOutcomeData, description: 'A notification failed for good (permanent refusal, or retries exhausted) and will not be sent.' },
  'video.meeting.created': { version: 1, data: VideoMeetingData, description: 'A video meeting was made for a booking.' },
  'video.meeting.updated': { version: 1, data: VideoMeetingData, description: 'A booking\'s video meeting moved (on reschedule, or changed by the host in Zoom).' },
  'video.meeting.deleted': { version: 1, data: VideoMeetingData, description: 'A booking\'s video meeting was deleted (on cancel, or by the host in Zoom: the booking keeps no link).' },
  'video.quota_exhausted': { version: 1, data: VideoQuotaExhaustedData, description: 'The video provider\'s daily meeting quota is used up: the booking (or the event write, `bookingId: null`) was made without a link.' },
} as const;

export type DomainEventType = keyof typeof DOMAIN_EVENT_TYPES;
export const DOMAIN_EVENT_TYPE_NAMES = Object.keys(DOMAIN_EVENT_TYPES) as DomainEventType[];
export const DomainEventTypeName = z.enum(DOMAIN_EVENT_TYPE_NAMES as [DomainEventType, ...DomainEventType[]]);

export type DomainEventData<T extends DomainEventType> = z.infer<(typeof DOMAIN_EVENT_TYPES)[T]['data']>;

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  /** Unique per logical change; a retry that re-emits the same change reuses it (consumers dedupe on it). */
  id: string;
  type: T;
  version: number;
  /** When the change was observed. */
  time: string;
  tenantId: string;
  data: DomainEventData<T>;
}

function envelopeSchema<T extends DomainEventType>(type: T) {
  const spec = DOMAIN_EVENT_TYPES[type];
  return z
    .object({
      id: z.string(),
      type: z.literal(type),
      version: z.literal(spec.version),
      time: Instant,
      tenantId: TenantId,
      data: spec.data,
    })
    .check(z.meta({ id: type, description: spec.description }));
}

/** Zod schema of one event type's envelope (used for validation and for the JSON Schemas in events/). */
export const DOMAIN_EVENT_SCHEMAS = Object.fromEntries(
  DOMAIN_EVENT_TYPE_NAMES.map((type) => [type, envelopeSchema(type)]),
) as { [T in DomainEventType]: ReturnType<typeof envelopeSchema<T>> };

export const AnyDomainEvent = z.discriminatedUnion(
  'type',
  DOMAIN_EVENT_TYPE_NAMES.map((type) => DOMAIN_EVENT_SCHEMAS[type]) as unknown as [
    ReturnType<typeof envelopeSchema>,
    ...ReturnType<typeof envelopeSchema>[],
  ],
);

export interface NewDomainEventOptions {
  /** Parts that identify the logical change; when given the id is deterministic (see stableId). */
  idempotencyParts?: string[];
  time?: Date;
}

export function domainEvent<T extends DomainEventType>(
  type: T,
  tenantId: string,
  data: DomainEventData<T>,
  options: NewDomainEventOptions = {},
): DomainEvent<T> {
  const time = options.time ?? new Date();
  const id = options.idempotencyParts ? stableId('msg', type, tenantId, ...options.idempotencyParts) : newId('msg', time.getTime());
  return { id, type, version: DOMAIN_EVENT_TYPES[type].version, time: time.toISOString(), tenantId, data };
}

/** The payload of every `connection.*` event: the connection's state as stored (never its credentials). */
export function connectionEventData(connection: {
  id: string;
  provider: DomainEventData<'connection.created'>['provider'];
  status: DomainEventData<'connection.created'>['status'];
  accountEmail: string | null;
  consecutiveErrors: number;
  lastError: { code: string; message: string } | null;
}): DomainEventData<'connection.created'> {
  return {
    connectionId: connection.id,
    provider: connection.provider,
    status: connection.status,
    accountEmail: connection.accountEmail,
    consecutiveErrors: connection.consecutiveErrors,
    error: connection.lastError ? { code: connection.lastError.code, message: connection.lastError.message } : null,
  };
}

/** Parses and validates an unknown payload (from EventBridge or a queue) as a domain event. */
export function parseDomainEvent(input: unknown): DomainEvent {
  return AnyDomainEvent.parse(input) as DomainEvent;
}
