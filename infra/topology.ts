import { API_ROUTES } from '../shared/api/index.ts';
import type { QueueName } from '../shared/ports/job-queue.ts';
import { routeKeyOf } from '../shared/runtime/http/route.ts';
import { NOTIFICATION_EVENT_TYPES } from '../shared/use-cases/notifications/handle-notification-event.ts';

/**
 * What runs where, as data. The CDK stack and the local stack both build themselves from this file (and
 * from the route contracts in shared/api), so a function, queue, schedule or event route exists in both or
 * in neither.
 */
export interface FunctionPermissions {
  /** DynamoDB table access. */
  table: 'none' | 'read' | 'readwrite';
  /** Queues this function sends to (sqs:SendMessage). */
  sendTo: QueueName[];
  /** Dead-letter queues this function sends to directly (poison messages it dead-letters itself). */
  deadLetterTo: QueueName[];
  /** events:PutEvents on the domain event bus. */
  publishEvents: boolean;
  /** KMS use for envelope-encrypted secrets. */
  kms: 'none' | 'decrypt' | 'encrypt-decrypt';
  /** Reads the provider client credentials secret. */
  providerSecrets: boolean;
  /** Creates, moves and deletes booking timers (EventBridge Scheduler schedules of the timer group only). */
  timers?: boolean;
  /** ses:SendEmail / ses:SendRawEmail from the stack's SES identity (notifications). */
  sendEmail?: boolean;
  /** sns:Publish to phone numbers (SMS notifications). */
  sendSms?: boolean;
}

export type FunctionTrigger =
  | { kind: 'http' }
  | { kind: 'queue'; queue: QueueName; batchSize: number; maxBatchingWindowSeconds: number; maxConcurrency?: number }
  /** The dead-letter queue of `queue` (what lands there is reconciled, not retried). */
  | { kind: 'dead-letters'; queue: QueueName; batchSize: number }
  | { kind: 'schedule'; rateMinutes: number }
  /** Invoked by the booking timers (EventBridge Scheduler one-time schedules, through their execution role). */
  | { kind: 'timers' };

export interface FunctionSpec {
  name: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  trigger: FunctionTrigger;
  permissions: FunctionPermissions;
}

const none: FunctionPermissions = { table: 'none', sendTo: [], deadLetterTo: [], publishEvents: false, kms: 'none', providerSecrets: false };

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'api-system',
    entry: 'functions/api-system/handler.ts',
    description: 'GET /health and GET /openapi.json',
    memoryMb: 256,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    permissions: none,
  },
  {
    name: 'console-site',
    entry: 'functions/console-site/handler.ts',
    description: 'GET /console: the operator console files (built into the package by infra)',
    memoryMb: 256,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    permissions: none,
  },
  {
    name: 'api-connections',
    entry: 'functions/api-connections/handler.ts',
    description: 'Connections: list, get, disconnect, sync now, connect CalDAV/iCloud',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'], publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-oauth',
    entry: 'functions/api-oauth/handler.ts',
    description: 'OAuth: start authorization, provider callback (connect an account)',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'], publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'push-google',
    entry: 'functions/push-google/handler.ts',
    description: 'Google push receiver: verify the channel, queue a coalesced sync',
    memoryMb: 256,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'] },
  },
  {
    name: 'push-microsoft',
    entry: 'functions/push-microsoft/handler.ts',
    description: 'Graph notification receiver: validation handshake, verify clientState, queue a coalesced sync; lifecycle events',
    // Renewing a subscription on reauthorizationRequired loads the Graph client within Graph's 3 s deadline.
    memoryMb: 512,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'], kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'sync-worker',
    entry: 'functions/sync-worker/handler.ts',
    description: 'Syncs calendars from their providers (SQS consumer)',
    memoryMb: 1024,
    timeoutSeconds: 300,
    trigger: { kind: 'queue', queue: 'sync', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 20 },
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'sync-scheduler',
    entry: 'functions/sync-scheduler/handler.ts',
    description: 'Queues safety syncs and CalDAV polls that are due',
    memoryMb: 256,
    timeoutSeconds: 120,
    trigger: { kind: 'schedule', rateMinutes: 5 },
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'] },
  },
  {
    name: 'push-renewer',
    entry: 'functions/push-renewer/handler.ts',
    description: 'Replaces or extends push channels before they expire',
    memoryMb: 512,
    timeoutSeconds: 300,
    trigger: { kind: 'schedule', rateMinutes: 60 },
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-calendars',
    entry: 'functions/api-calendars/handler.ts',
    description: 'Calendars (list, sync settings), events in a range, free/busy (store inside the window, provider outside it)',
    // Free/busy merges up to 1e5 intervals in memory; more memory is more CPU.
    memoryMb: 1024,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Credentials key and app secrets: free/busy asks providers live outside the mirrored window (token refresh re-seals).
    permissions: { ...none, table: 'readwrite', sendTo: ['sync'], kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-availability',
    entry: 'functions/api-availability/handler.ts',
    description: 'Schedules (working hours), availability across participants and rooms, conflicts with alternatives',
    // Slot search works on typed arrays of busy time from up to 200 calendars; more memory is more CPU.
    memoryMb: 1024,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite' },
  },
  {
    name: 'api-bookings',
    entry: 'functions/api-bookings/handler.ts',
    description: 'Booking types (hosts, rooms, limits, conference, reminders) and bookings',
    memoryMb: 1024,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Bookings write provider events (the connection's credentials, refreshed: encrypt too) and announce booking.*.
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-public',
    entry: 'functions/api-public/handler.ts',
    description: 'Public booking pages for invitees (no JWT): page, slots, book; view, reschedule, cancel by manage token; rate limited',
    memoryMb: 1024,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // As api-bookings (provider writes, booking.*), plus the rate buckets and the sealed signing key in the table.
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'booking-lifecycle',
    entry: 'functions/booking-lifecycle/handler.ts',
    description: 'Two-way bookings: a host moving or deleting a booking event in the calendar reschedules or cancels the booking (source calendar); a Zoom meeting deleted in Zoom leaves the event without its link',
    memoryMb: 512,
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'booking-lifecycle', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
    // The booking's Zoom meeting follows the calendar-side move or delete: Zoom credentials (sealed; a user grant's refresh re-seals) and the user-level app.
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-webhooks',
    entry: 'functions/api-webhooks/handler.ts',
    description: 'Webhook endpoints (register, change, rotate secret, test), delivery log, redelivery and recovery',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    permissions: { ...none, table: 'readwrite', sendTo: ['webhook-delivery'], publishEvents: true, kms: 'encrypt-decrypt' },
  },
  {
    name: 'webhook-fanout',
    entry: 'functions/webhook-fanout/handler.ts',
    description: 'Fans each domain event out to the matching webhook endpoints: one delivery each, queued once',
    memoryMb: 512,
    timeoutSeconds: 60,
    // No batching window: every second of waiting is added to event-to-webhook latency.
    trigger: { kind: 'queue', queue: 'webhook-fanout', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 10 },
    permissions: { ...none, table: 'readwrite', sendTo: ['webhook-delivery'] },
  },
  {
    name: 'webhook-delivery',
    entry: 'functions/webhook-delivery/handler.ts',
    description: 'Signs and sends webhook attempts, schedules retries on the in-flight message, dead-letters exhausted deliveries',
    memoryMb: 512,
    // Ten attempts of at most 15 s run side by side, plus storage: well inside a minute.
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'webhook-delivery', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 50 },
    permissions: { ...none, table: 'readwrite', deadLetterTo: ['webhook-delivery'], publishEvents: true, kms: 'decrypt' },
  },
  {
    name: 'webhook-dead-letters',
    entry: 'functions/webhook-dead-letters/handler.ts',
    description: 'Ends deliveries whose message the delivery queue dead-lettered: failed, webhook.delivery.exhausted, recoverable',
    memoryMb: 256,
    timeoutSeconds: 30,
    trigger: { kind: 'dead-letters', queue: 'webhook-delivery', batchSize: 10 },
    permissions: { ...none, table: 'readwrite', publishEvents: true },
  },
  {
    name: 'secret-rekey',
    entry: 'functions/secret-rekey/handler.ts',
    description: 'Key rotation: seals every stored secret again under the current key (daily, resumable; on demand after a key change)',
    memoryMb: 512,
    timeoutSeconds: 900,
    trigger: { kind: 'schedule', rateMinutes: 1440 },
    permissions: { ...none, table: 'readwrite', kms: 'encrypt-decrypt' },
  },
  {
    name: 'busy-index-backfill',
    entry: 'functions/busy-index-backfill/handler.ts',
    description: 'Gives stored events the busy-index keys (gsi4) the current code writes; free/busy switches to gsi4 when a walk completes (daily, resumable; on demand after the deploy)',
    memoryMb: 512,
    timeoutSeconds: 900,
    trigger: { kind: 'schedule', rateMinutes: 1440 },
    permissions: { ...none, table: 'readwrite' },
  },
  {
    name: 'api-events',
    entry: 'functions/api-events/handler.ts',
    description: 'Event writes on the provider (create, update, delete; instance/following/series scopes), idempotent, mirrored into the store',
    memoryMb: 1024,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Writes hold the connection's credentials (refreshing rotates them: encrypt too) and announce the change.
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'api-notifications',
    entry: 'functions/api-notifications/handler.ts',
    description: 'Operator notification channels (email, SMS, Slack, WhatsApp) and the notification delivery log',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Slack hook URLs are sealed like credentials.
    permissions: { ...none, table: 'readwrite', kms: 'encrypt-decrypt' },
  },
  {
    name: 'booking-schedules',
    entry: 'functions/booking-schedules/handler.ts',
    description: 'Booking timers follow their booking: a one-time schedule per reminder and one at the end (booking.completed), moved on reschedule, deleted on cancel',
    memoryMb: 512,
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'booking-schedules', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
    permissions: { ...none, table: 'read', timers: true },
  },
  {
    name: 'booking-timer',
    entry: 'functions/booking-timer/handler.ts',
    description: 'A booking timer fired: booking.reminder_due (once per reminder id, never late) or booking.completed',
    memoryMb: 512,
    timeoutSeconds: 30,
    trigger: { kind: 'timers' },
    // readwrite: the sent-once record; sendTo: a timer that fired before its booking's time asks for a resync.
    permissions: { ...none, table: 'readwrite', sendTo: ['booking-schedules'], publishEvents: true },
  },
  {
    name: 'notification-sender',
    entry: 'functions/notification-sender/handler.ts',
    description: 'Booking confirmations, updates and cancellations (.ics) and operator notices by email, SMS, Slack, WhatsApp: once each, transient failures retried with backoff',
    memoryMb: 512,
    timeoutSeconds: 60,
    trigger: { kind: 'queue', queue: 'notifications', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 10 },
    // Opens sealed Slack hook URLs; sends through SES and SNS; marks broken channels; announces notification.sent/failed.
    permissions: { ...none, table: 'readwrite', publishEvents: true, kms: 'decrypt', sendEmail: true, sendSms: true },
  },
  {
    name: 'api-video',
    entry: 'functions/api-video/handler.ts',
    description: 'Video connections: connect a Zoom Server-to-Server app (checked at connect), a Zoom user (OAuth, PKCE), quota view',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Zoom credentials are sealed like OAuth tokens; the user-level app sits in the provider secret.
    permissions: { ...none, table: 'readwrite', kms: 'encrypt-decrypt', providerSecrets: true },
  },
  {
    name: 'push-zoom',
    entry: 'functions/push-zoom/handler.ts',
    description: 'Zoom webhook receiver: signature and URL validation, meeting.updated/deleted applied to bookings (video.meeting.*)',
    memoryMb: 256,
    timeoutSeconds: 10,
    trigger: { kind: 'http' },
    // The webhook secret token sits in the provider secret; nothing sealed is opened.
    permissions: { ...none, table: 'readwrite', publishEvents: true, providerSecrets: true },
  },
  {
    name: 'api-logs',
    entry: 'functions/api-logs/handler.ts',
    description: 'The integration log (GET /v1/logs) and the integration health summary (GET /v1/health/integrations)',
    memoryMb: 512,
    timeoutSeconds: 29,
    trigger: { kind: 'http' },
    // Reads only, and no key: the summary shows metadata, never a secret.
    permissions: { ...none, table: 'read' },
  },
];

export interface QueueSpec {
  name: QueueName;
  description: string;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** How long a message may wait in the queue (seconds); must outlast the longest retry schedule. */
  retentionSeconds: number;
}

export const QUEUES: readonly QueueSpec[] = [
  { name: 'sync', description: 'Calendar sync jobs (push, schedule, manual)', maxReceiveCount: 8, retentionSeconds: 4 * 86_400 },
  { name: 'webhook-fanout', description: 'Domain events routed from the bus, fanned out to webhook endpoints', maxReceiveCount: 5, retentionSeconds: 4 * 86_400 },
  { name: 'webhook-delivery', description: 'One message per webhook delivery attempt chain', maxReceiveCount: 12, retentionSeconds: 14 * 86_400 },
  { name: 'booking-lifecycle', description: 'Calendar event changes routed from the bus, applied to their bookings', maxReceiveCount: 5, retentionSeconds: 4 * 86_400 },
  { name: 'booking-schedules', description: 'Booking changes routed from the bus (and resync requests of fired timers), applied to the booking timers', maxReceiveCount: 8, retentionSeconds: 4 * 86_400 },
  // Transient send failures wait here with backoff; the consumer gives up (failed, evented) before the DLQ.
  { name: 'notifications', description: 'Domain events that cause notifications (booking messages, operator notices), retried with backoff', maxReceiveCount: 10, retentionSeconds: 4 * 86_400 },
];

/** The routing table: which domain event types go to which consumer queue (EventBridge rules in AWS). */
export interface EventRoute {
  name: string;
  queue: QueueName;
  /** Exact types, `prefix.*`, or `*` for every domain event. */
  eventTypes: string[];
}

export const EVENT_ROUTES: readonly EventRoute[] = [
  { name: 'booking-schedules', queue: 'booking-schedules', eventTypes: ['booking.created', 'booking.rescheduled', 'booking.cancelled'] },
  { name: 'webhook-fanout', queue: 'webhook-fanout', eventTypes: ['*'] },
  // created too: a host's edit of one instance of a booking's series is first seen as a new exception.
  // video.meeting.deleted: a meeting deleted in Zoom leaves a dead link on the booking's event to take off (push-zoom holds no calendar credentials).
  { name: 'booking-lifecycle', queue: 'booking-lifecycle', eventTypes: ['calendar.event.updated', 'calendar.event.deleted', 'calendar.event.created', 'video.meeting.deleted'] },
  { name: 'notifications', queue: 'notifications', eventTypes: [...NOTIFICATION_EVENT_TYPES] },
];

export interface HttpRouteSpec {
  routeKey: string;
  method: string;
  path: string;
  function: string;
  auth: 'jwt' | 'none';
  /** Route-level API Gateway throttling (the public booking routes). */
  throttle?: { rateLimit: number; burstLimit: number };
}

export const HTTP_ROUTES: readonly HttpRouteSpec[] = API_ROUTES.map((route) => ({
  routeKey: routeKeyOf(route),
  method: route.method,
  path: route.path,
  function: route.function,
  auth: route.auth,
  ...(route.throttle ? { throttle: route.throttle } : {}),
}));

export function functionNamed(name: string): FunctionSpec {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (!spec) throw new Error(`No function named ${name} in infra/topology.ts`);
  return spec;
}

/** The consumer of a queue's dead-letter queue, if it has one. */
export function deadLetterConsumerOf(queue: QueueName): FunctionSpec | undefined {
  return FUNCTIONS.find((f) => f.trigger.kind === 'dead-letters' && f.trigger.queue === queue);
}

/** The function the booking timers invoke, if the topology has one. */
export function timerTarget(): FunctionSpec | undefined {
  return FUNCTIONS.find((f) => f.trigger.kind === 'timers');
}

/** A queue's consumer: the function whose trigger is that queue, if any yet. */
export function consumerOf(queue: QueueName): FunctionSpec | undefined {
  return FUNCTIONS.find((f) => f.trigger.kind === 'queue' && f.trigger.queue === queue);
}
