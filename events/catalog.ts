import type { BookingView } from '../shared/domain/booking.ts';
import * as z from 'zod/mini';
import type { CalendarEvent } from '../shared/domain/calendar-event.ts';
import {
  DOMAIN_EVENT_SCHEMAS,
  DOMAIN_EVENT_TYPES,
  DOMAIN_EVENT_TYPE_NAMES,
  type DomainEvent,
  type DomainEventType,
} from '../shared/domain/domain-events.ts';

/** Where each event type's JSON Schema lives: versioned, so consumers can pin a version. */
export function schemaFileOf(type: DomainEventType): string {
  return `events/schemas/${type}.v${DOMAIN_EVENT_TYPES[type].version}.json`;
}

export function domainEventJsonSchemas(): { type: DomainEventType; file: string; schema: Record<string, unknown> }[] {
  return DOMAIN_EVENT_TYPE_NAMES.map((type) => {
    const schema = z.toJSONSchema(DOMAIN_EVENT_SCHEMAS[type], { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
    return {
      type,
      file: schemaFileOf(type),
      schema: { $id: `urn:calendar-integrations:event:${type}:v${DOMAIN_EVENT_TYPES[type].version}`, title: type, ...schema },
    };
  });
}

const TENANT = 'acme';
const CONNECTION = 'con_01JB3Y6M2QH9N7S5V4T0W8X1ZA';
const CALENDAR = 'cal_01JB3Y7A0C2D4E6F8G0H2J4K6M';
const TIME = '2026-11-23T10:00:00.000Z';

const sampleEvent: CalendarEvent = {
  tenantId: TENANT,
  connectionId: CONNECTION,
  calendarId: CALENDAR,
  id: 'evt_5Q2W8E4R6T0Y2U4I6O8P0A2S4D',
  providerEventId: '7kq3v0c9m2f4h6j8',
  resourceId: null,
  iCalUID: '7kq3v0c9m2f4h6j8@google.com',
  kind: 'single',
  title: 'Design review',
  description: 'Quarterly design review',
  location: 'Room 4',
  start: { dateTime: '2026-11-24T14:00:00Z', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-11-24T15:00:00Z', timeZone: 'Europe/Berlin' },
  status: 'confirmed',
  transparency: 'opaque',
  organizer: { email: 'ada@example.com', name: 'Ada', self: true },
  attendees: [{ email: 'grace@example.com', name: 'Grace', responseStatus: 'accepted', optional: false, organizer: false, self: false }],
  recurrence: null,
  recurringEventId: null,
  originalStart: null,
  conference: { provider: 'google_meet', url: 'https://meet.google.com/abc-defg-hij', id: 'abc-defg-hij', status: 'ready' },
  etag: '"3400000000000000"',
  updated: '2026-11-23T09:59:58.000Z',
  contentHash: 'pBq9bS2A2nq3uYV2H0m6wQZ0c8Yw1cX8vK3m5hJ7dG0',
};

const connectionData = { connectionId: CONNECTION, provider: 'google' as const, status: 'active' as const, accountEmail: 'ada@example.com', consecutiveErrors: 0, error: null };

const sampleBooking: BookingView = {
  id: 'bkg_01JB3YB0K1N2G3S4A5M6P7L8E9',
  bookingTypeId: 'bkt_01JB3YA0T1Y2P3E4S5A6M7P8L9',
  status: 'confirmed',
  start: '2026-11-23T10:00:00.000Z',
  end: '2026-11-23T10:30:00.000Z',
  hosts: [{ calendarId: CALENDAR, writeCalendarId: CALENDAR, email: 'ada@example.com', name: 'Ada Lovelace' }],
  room: null,
  invitee: { name: 'Grace Hopper', email: 'grace@example.com', timeZone: 'America/New_York' },
  conference: { provider: 'none', joinUrl: null },
  providerEvents: [{ calendarId: CALENDAR, eventId: 'evt_01JB3Y8B1D3F5H7K9M1P3R5T7V' }],
  reminders: [{ minutesBefore: 60, channels: ['email'], to: 'invitee' }],
  createdAt: TIME,
  updatedAt: TIME,
};

const SAMPLE_DATA: { [T in DomainEventType]: DomainEvent<T>['data'] } = {
  'calendar.event.created': { connectionId: CONNECTION, calendarId: CALENDAR, event: sampleEvent, previousContentHash: null },
  'calendar.event.updated': { connectionId: CONNECTION, calendarId: CALENDAR, event: sampleEvent, previousContentHash: 'zzPreviousHashOfTheEventContent0000000000A' },
  'calendar.event.deleted': { connectionId: CONNECTION, calendarId: CALENDAR, event: { ...sampleEvent, status: 'cancelled' }, previousContentHash: sampleEvent.contentHash },
  'calendar.sync.completed': { connectionId: CONNECTION, calendarId: CALENDAR, mode: 'incremental', resynced: false, created: 1, updated: 2, deleted: 0, unchanged: 0, pages: 1, durationMs: 182 },
  'connection.created': connectionData,
  'connection.reauth_required': { ...connectionData, status: 'reauth_required', error: { code: 'provider.auth_revoked', message: 'The grant was revoked (invalid_grant).' } },
  'connection.sync_failed': { ...connectionData, status: 'error', consecutiveErrors: 2, error: { code: 'provider.unavailable', message: 'Google answered 503.' } },
  'connection.disabled': { ...connectionData, status: 'disabled', consecutiveErrors: 5, error: { code: 'provider.unavailable', message: 'Google answered 503.' } },
  'connection.deleted': connectionData,
  'webhook.delivery.exhausted': { endpointId: 'whe_01JB3Y9Q1R3S5T7V9W1X3Y5Z7A', deliveryId: 'dlv_01JB3YA2B4C6D8E0F2G4H6J8K0', messageId: 'msg_01JB3YA2B4C6D8E0F2G4H6J8K0', eventType: 'calendar.event.updated', eventId: 'msg_01JB3Y8N0P2Q4R6S8T0V2W4X6Y', attempts: 8, lastStatusCode: 503, lastError: 'http_5xx' },
  'webhook.endpoint.disabled': { endpointId: 'whe_01JB3Y9Q1R3S5T7V9W1X3Y5Z7A', url: 'https://hooks.example.com/calendar', reason: 'gone' },
  'webhook.test': { endpointId: 'whe_01JB3Y9Q1R3S5T7V9W1X3Y5Z7A', message: 'This is a test message from calendar-integrations.' },
  'booking.created': { booking: sampleBooking, source: 'api' },
  'booking.rescheduled': { booking: { ...sampleBooking, start: '2026-11-24T10:00:00.000Z', end: '2026-11-24T10:30:00.000Z' }, source: 'calendar', previous: { start: sampleBooking.start, end: sampleBooking.end } },
  'booking.cancelled': { booking: { ...sampleBooking, status: 'cancelled' }, source: 'api', reason: 'Invitee cannot make it' },
  'booking.reminder_due': { booking: sampleBooking, reminderId: 'rmd_5B1X9Q0C2D4E6F8G0H2J4K6M8N', minutesBefore: 60, channels: ['email', 'sms'], to: 'invitee' },
  'booking.completed': { booking: sampleBooking },
  'notification.sent': {
    notificationId: 'ntf_7C3Z1R2S4T6V8W0X2Y4Z6A8B0C',
    channel: 'email',
    recipient: 'ana@example.com',
    recipientKind: 'invitee',
    bookingId: sampleBooking.id,
    triggerEventType: 'booking.created',
    triggerEventId: 'msg_01JB3Y8N0P2Q4R6S8T0V2W4X6Y',
    providerMessageId: '010001930c8d5a2b-6f1e-4c8a-9d2e-1a2b3c4d5e6f-000000',
    error: null,
  },
  'notification.failed': {
    notificationId: 'ntf_7C3Z1R2S4T6V8W0X2Y4Z6A8B0D',
    channel: 'whatsapp',
    recipient: '+4915112345678',
    recipientKind: 'invitee',
    bookingId: sampleBooking.id,
    triggerEventType: 'booking.reminder_due',
    triggerEventId: 'msg_01JB3Y8N0P2Q4R6S8T0V2W4X6Z',
    providerMessageId: null,
    error: { code: 'notify.template_rejected', message: 'WhatsApp 404 code 132001: Template name does not exist in the translation' },
  },
  'video.meeting.created': { provider: 'zoom', connectionId: 'vcn_01JB3Y9Q1R3S5T7V9W1X3Y5Z7B', bookingId: 'bkg_01JB3Y9Q1R3S5T7V9W1X3Y5Z7C', meetingId: '85746354123', joinUrl: 'https://zoom.us/j/85746354123?pwd=Sample', start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T09:30:00.000Z', source: 'api' },
  'video.meeting.updated': { provider: 'zoom', connectionId: 'vcn_01JB3Y9Q1R3S5T7V9W1X3Y5Z7B', bookingId: 'bkg_01JB3Y9Q1R3S5T7V9W1X3Y5Z7C', meetingId: '85746354123', joinUrl: 'https://zoom.us/j/85746354123?pwd=Sample', start: '2026-11-24T10:00:00.000Z', end: '2026-11-24T10:30:00.000Z', source: 'provider' },
  'video.meeting.deleted': { provider: 'zoom', connectionId: 'vcn_01JB3Y9Q1R3S5T7V9W1X3Y5Z7B', bookingId: 'bkg_01JB3Y9Q1R3S5T7V9W1X3Y5Z7C', meetingId: '85746354123', joinUrl: null, start: null, end: null, source: 'provider' },
  'video.quota_exhausted': { provider: 'zoom', connectionId: 'vcn_01JB3Y9Q1R3S5T7V9W1X3Y5Z7B', bookingId: 'bkg_01JB3Y9Q1R3S5T7V9W1X3Y5Z7C', zoomUserId: 'KdYKjnimT4KPd8FFgQt9FQ', limit: 100, resetAt: '2026-11-24T00:00:00.000Z', message: 'Zoom: daily meeting quota used up' },
};

export function domainEventSamples(): { type: DomainEventType; file: string; sample: DomainEvent }[] {
  return DOMAIN_EVENT_TYPE_NAMES.map((type) => ({
    type,
    file: `events/samples/${type}.json`,
    sample: { id: 'msg_01JB3Y8N0P2Q4R6S8T0V2W4X6Y', type, version: DOMAIN_EVENT_TYPES[type].version, time: TIME, tenantId: TENANT, data: SAMPLE_DATA[type] } as DomainEvent,
  }));
}
