import * as z from 'zod/mini';
import { ConnectionStatus, ProviderKind } from '../domain/connection.ts';
import { IntegrationLogEntry, LOG_ENTRY_TYPES, LOG_RETENTION_DAYS } from '../domain/integration-log.ts';
import { CHANNEL_KINDS } from '../domain/notification-channel.ts';
import { Instant } from '../domain/timestamps.ts';
import { defineRoute } from '../runtime/http/route.ts';
import { CursorQuery, ResourceId, intQuery, pageOf } from './common.ts';
import { VideoQuotaSchema } from './video.ts';

export const ListLogsQuery = z.object({
  connectionId: z.optional(ResourceId),
  bookingId: z.optional(ResourceId),
  type: z.optional(z.enum(LOG_ENTRY_TYPES, { error: `one of ${LOG_ENTRY_TYPES.join(', ')}` })),
  success: z.optional(z.pipe(z.enum(['true', 'false'], { error: 'true or false' }), z.transform((value) => value === 'true'))),
  since: z.optional(z.iso.datetime({ offset: true, error: 'an RFC 3339 instant such as 2026-12-01T00:00:00Z' })),
  cursor: CursorQuery,
  limit: intQuery(1, 200, 50),
});

/** An entry as the API shows it: the stored entry without its tenant (the caller's own, from the token). */
export const IntegrationLogEntryView = z.omit(IntegrationLogEntry, { tenantId: true });

const Health = z.enum(['healthy', 'degraded', 'unhealthy']);

export const IntegrationHealthView = z.object({
  status: Health,
  checkedAt: Instant,
  connections: z.array(
    z.object({
      id: z.string(),
      provider: ProviderKind,
      accountEmail: z.nullable(z.string()),
      status: ConnectionStatus,
      health: Health,
      lastSuccessfulSyncAt: z.nullable(Instant),
      consecutiveErrors: z.int(),
      errorsLast24h: z.int(),
      lastError: z.nullable(z.object({ code: z.string(), message: z.string(), at: Instant })),
      syncedCalendars: z.int(),
      pushChannelExpiresAt: z.nullable(Instant),
      nextSyncAt: z.nullable(Instant),
    }),
  ),
  videoConnections: z.array(
    z.object({
      id: z.string(),
      provider: z.literal('zoom'),
      status: z.enum(['active', 'reauth_required']),
      health: Health,
      quota: VideoQuotaSchema,
    }),
  ),
  webhookEndpoints: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      enabled: z.boolean(),
      disabledReason: z.nullable(z.enum(['gone', 'failing', 'manual'])),
      health: Health,
      failingSince: z.nullable(Instant),
      deliveriesLast24h: z.int(),
      successRate24h: z.nullable(z.number()),
      lastFailure: z.nullable(z.object({ at: Instant, statusCode: z.nullable(z.int()), errorClass: z.nullable(z.string()) })),
    }),
  ),
  notificationChannels: z.array(
    z.object({ id: z.string(), kind: z.enum(CHANNEL_KINDS), status: z.enum(['active', 'broken']), brokenReason: z.nullable(z.string()), health: Health }),
  ),
});

const tags = ['logs'];

export const listLogsRoute = defineRoute({
  operationId: 'listIntegrationLogs',
  method: 'GET',
  path: '/v1/logs',
  function: 'api-logs',
  auth: 'jwt',
  summary: 'The integration log: what happened to connections, bookings, webhooks and notifications',
  description: [
    `One entry per thing that happened, newest first, kept ${LOG_RETENTION_DAYS} days: sync runs (mode, counts, duration), token refreshes, pushes received and channels renewed, video links created, webhook attempts, notifications, bookings written, errors.`,
    'A failed operation keeps its `type` with `success: false` and `error` (`code`, `message`, `retryable`); `success=false` lists only the failures.',
    '`correlationId` ties the entries of one piece of work together (the sync run, the domain event a webhook delivers, the booking).',
    'Filters combine; `since` is inclusive. Only the caller\'s tenant is ever listed.',
  ].join(' '),
  tags,
  query: ListLogsQuery,
  responses: { 200: { description: 'A page of log entries, newest first.', schema: pageOf(IntegrationLogEntryView) } },
});

export const integrationHealthRoute = defineRoute({
  operationId: 'getIntegrationHealth',
  method: 'GET',
  path: '/v1/health/integrations',
  function: 'api-logs',
  auth: 'jwt',
  summary: 'Health of every integration of the tenant, with an overall status',
  description: [
    'Per calendar connection: status, last successful sync, consecutive errors, errors in the last 24 h (from the integration log), the earliest push channel expiry and the next scheduled sync.',
    "Per video connection: today's (UTC) use of Zoom's per-user daily meeting quota, for every Zoom user it hosted for today (`quota.users`, the default host first). Per webhook endpoint: the 24-hour success rate of finished deliveries and the last failed attempt. Per notification channel: active or broken.",
    'Each has `health`: `healthy`, `degraded` (working, with errors or a risk: failures today, a lapsed push channel, a quota used up, a failing endpoint) or `unhealthy` (stopped until someone acts: reauthorization, disabled, a broken channel). `status` is the worst of them.',
  ].join(' '),
  tags,
  responses: { 200: { description: 'The health summary.', schema: IntegrationHealthView } },
});

export const LogRoutes = [listLogsRoute, integrationHealthRoute];
