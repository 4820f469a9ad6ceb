import * as z from 'zod/mini';
import { CHANNEL_KINDS } from '../domain/notification-channel.ts';
import { EventTypeFilter } from '../domain/webhook-endpoint.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { NOTIFICATION_STATUSES, NotificationRecord } from '../domain/notification.ts';
import { CursorQuery, IdParams, PaginationQuery, ResourceId, intQuery, pageOf } from './common.ts';
import { PUBLIC_ROUTE_THROTTLE } from './public.ts';

const noLineBreaks = z.refine<string>((value) => !/[\r\n\0]/.test(value), 'must not contain line breaks (header injection)');

const TargetInput = z.strictObject({
  email: z.optional(z.string({ error: 'an email address' }).check(z.minLength(3), z.maxLength(254), noLineBreaks)),
  phone: z.optional(z.string({ error: 'an E.164 phone number' }).check(z.regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +4915112345678'))),
  webhookUrl: z.optional(z.string({ error: 'a Slack incoming-webhook URL' }).check(z.minLength(1), z.maxLength(2048))),
});
const EventTypes = z.array(EventTypeFilter).check(z.minLength(1, 'name at least one event type (or *)'), z.maxLength(50));

export const CreateNotificationChannelBody = z.strictObject({
  kind: z.enum(CHANNEL_KINDS, { error: `one of ${CHANNEL_KINDS.join(', ')}` }),
  target: TargetInput,
  eventTypes: EventTypes,
});

export const UpdateNotificationChannelBody = z
  .strictObject({ target: z.optional(TargetInput), eventTypes: z.optional(EventTypes) })
  .check(z.refine((body) => body.target !== undefined || body.eventTypes !== undefined, 'send target or eventTypes'));

export const NotificationChannelView = z.object({
  id: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  target: z.object({ email: z.optional(z.string()), phone: z.optional(z.string()), webhookUrl: z.optional(z.string()) }),
  eventTypes: z.array(z.string()),
  status: z.enum(['active', 'broken']),
  brokenReason: z.nullable(z.string()),
  createdAt: Instant,
  updatedAt: Instant,
});

const tags = ['notifications'];
const channelText = [
  'Operator channels: notices about the integration itself (`connection.reauth_required`, `connection.disabled`, `connection.sync_failed` at most once per connection a day, `webhook.endpoint.disabled`, `video.quota_exhausted`, `notification.channel_broken`) go to every channel whose `eventTypes` match (exact types, `prefix.*`, `*`).',
  '`target` holds exactly the field of the kind: `email` (a plain address; line breaks are refused), `phone` for sms and whatsapp (E.164), `webhookUrl` for slack (https to a public address; stored sealed and shown masked).',
  'A Slack channel whose hook answers 404/410 becomes `status: broken`; a PATCH with a new target repairs it.',
].join(' ');

export const createNotificationChannelRoute = defineRoute({
  operationId: 'createNotificationChannel',
  method: 'POST',
  path: '/v1/notification-channels',
  function: 'api-notifications',
  auth: 'jwt',
  summary: 'Add an operator notification channel',
  description: channelText,
  tags,
  body: CreateNotificationChannelBody,
  responses: { 201: { description: 'The channel.', schema: NotificationChannelView } },
});

export const listNotificationChannelsRoute = defineRoute({
  operationId: 'listNotificationChannels',
  method: 'GET',
  path: '/v1/notification-channels',
  function: 'api-notifications',
  auth: 'jwt',
  summary: "List the tenant's notification channels",
  tags,
  query: PaginationQuery,
  responses: { 200: { description: 'A page of channels.', schema: pageOf(NotificationChannelView) } },
});

export const getNotificationChannelRoute = defineRoute({
  operationId: 'getNotificationChannel',
  method: 'GET',
  path: '/v1/notification-channels/{id}',
  function: 'api-notifications',
  auth: 'jwt',
  summary: 'Get one notification channel',
  tags,
  params: IdParams,
  responses: { 200: { description: 'The channel.', schema: NotificationChannelView } },
});

export const updateNotificationChannelRoute = defineRoute({
  operationId: 'updateNotificationChannel',
  method: 'PATCH',
  path: '/v1/notification-channels/{id}',
  function: 'api-notifications',
  auth: 'jwt',
  summary: 'Change a notification channel (target, eventTypes)',
  description: channelText,
  tags,
  params: IdParams,
  body: UpdateNotificationChannelBody,
  responses: { 200: { description: 'The updated channel.', schema: NotificationChannelView } },
});

export const deleteNotificationChannelRoute = defineRoute({
  operationId: 'deleteNotificationChannel',
  method: 'DELETE',
  path: '/v1/notification-channels/{id}',
  function: 'api-notifications',
  auth: 'jwt',
  summary: 'Delete a notification channel',
  tags,
  params: IdParams,
  responses: { 204: { description: 'Deleted.' } },
});


export const ListNotificationsQuery = z.object({
  bookingId: z.optional(ResourceId),
  status: z.optional(z.enum(NOTIFICATION_STATUSES, { error: `one of ${NOTIFICATION_STATUSES.join(', ')}` })),
  cursor: CursorQuery,
  limit: intQuery(1, 200, 50),
});

/** A record as the API shows it: the stored record without its tenant (the caller's own, from the token). */
export const NotificationView = z.omit(NotificationRecord, { tenantId: true });

export const listNotificationsRoute = defineRoute({
  operationId: 'listNotifications',
  method: 'GET',
  path: '/v1/notifications',
  function: 'api-notifications',
  auth: 'jwt',
  summary: 'The notification delivery log',
  description:
    "Every notification (booking confirmations, updates, cancellations, reminders, operator notices), newest first: `queued` until the provider accepted it (`sent`, with the provider's message id) or refused it for good (`failed`, with the error); `suppressed` when the recipient had opted out and nothing was sent. Each is sent once per (event, recipient, channel). Filter by `bookingId` and `status`; kept 90 days.",
  tags,
  query: ListNotificationsQuery,
  responses: { 200: { description: 'A page of notifications.', schema: pageOf(NotificationView) } },
});

const UnsubscribeQuery = z.object({ token: z.string({ error: 'the token of the unsubscribe link' }).check(z.minLength(16), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/, 'the token of the unsubscribe link')) });
const unsubscribeText =
  'The link at the foot of every notification email (and its List-Unsubscribe header): the recipient gets no more email from this tenant; later notifications to them are logged as `suppressed`. No JWT: the token (random, stored hashed, valid a year) is the authorization. POST is the RFC 8058 one-click form.';

export const unsubscribeRoute = defineRoute({
  operationId: 'unsubscribe',
  method: 'GET',
  path: '/v1/public/unsubscribe',
  function: 'api-notifications',
  auth: 'none',
  // Public like the booking pages: the same per-route API Gateway throttle.
  throttle: PUBLIC_ROUTE_THROTTLE,
  summary: 'Unsubscribe from notification emails (the link in each email)',
  description: unsubscribeText,
  tags,
  query: UnsubscribeQuery,
  responses: { 200: { description: 'A short page saying the address is unsubscribed.', contentType: 'text/html' }, 404: { description: 'Unknown or expired link.' } },
});

export const unsubscribeOneClickRoute = defineRoute({
  operationId: 'unsubscribeOneClick',
  method: 'POST',
  path: '/v1/public/unsubscribe',
  function: 'api-notifications',
  auth: 'none',
  // Public like the booking pages: the same per-route API Gateway throttle.
  throttle: PUBLIC_ROUTE_THROTTLE,
  rawBody: true,
  summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe-Post)',
  description: unsubscribeText,
  tags,
  query: UnsubscribeQuery,
  responses: { 204: { description: 'Unsubscribed.' }, 404: { description: 'Unknown or expired link.' } },
});

export const NotificationRoutes = [
  createNotificationChannelRoute,
  listNotificationChannelsRoute,
  getNotificationChannelRoute,
  updateNotificationChannelRoute,
  deleteNotificationChannelRoute,
  listNotificationsRoute,
  unsubscribeRoute,
  unsubscribeOneClickRoute,
];
