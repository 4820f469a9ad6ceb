import type { Connection, ConnectionStatus } from '../../domain/connection.ts';
import type { NotificationChannel } from '../../domain/notification-channel.ts';
import { utcDay, videoQuotaOf, type VideoConnection, type VideoQuotaView } from '../../domain/video-connection.ts';
import type { WebhookEndpoint } from '../../domain/webhook-endpoint.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import type { IntegrationLogReader } from '../../ports/integration-log.ts';
import type { NotificationChannelStore } from '../../ports/notification-channel-store.ts';
import type { VideoConnectionStore } from '../../ports/video-connection-store.ts';
import type { WebhookDeliveryStore } from '../../ports/webhook-delivery-store.ts';
import type { WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';

/** `healthy`: nothing to do. `degraded`: working, with errors or a risk to look at. `unhealthy`: stopped until someone acts. */
export type Health = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthDeps {
  connections: Pick<ConnectionStore, 'list'>;
  calendars: Pick<CalendarStore, 'listByConnection'>;
  integrationLog: Pick<IntegrationLogReader, 'countFailures'>;
  videoConnections: Pick<VideoConnectionStore, 'listAll' | 'usageByUser'>;
  endpoints: Pick<WebhookEndpointStore, 'listAll'>;
  deliveries: Pick<WebhookDeliveryStore, 'listSince'>;
  channels: Pick<NotificationChannelStore, 'listAll'>;
  clock: Clock;
  settings: { syncIntervalMinutes: number; pollIntervalMinutes: number };
}

export interface ConnectionHealth {
  id: string;
  provider: Connection['provider'];
  accountEmail: string | null;
  status: ConnectionStatus;
  health: Health;
  lastSuccessfulSyncAt: string | null;
  consecutiveErrors: number;
  errorsLast24h: number;
  lastError: Connection['lastError'];
  /** Calendars of the connection that sync. */
  syncedCalendars: number;
  /** The earliest expiry of its calendars' push channels; null when none has one (CalDAV polls). */
  pushChannelExpiresAt: string | null;
  /** When the next scheduled (safety or poll) sync of its calendars is due at the latest; null when none syncs. */
  nextSyncAt: string | null;
}

export interface VideoHealth {
  id: string;
  provider: VideoConnection['provider'];
  status: VideoConnection['status'];
  health: Health;
  /** Today's quota per Zoom user the connection hosted for (the default host first), as on GET /v1/connections/zoom/{id}. */
  quota: VideoQuotaView;
}

export interface WebhookEndpointHealth {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: WebhookEndpoint['disabledReason'];
  health: Health;
  failingSince: string | null;
  /** Deliveries finished (succeeded or failed) in the last 24 h. */
  deliveriesLast24h: number;
  /** Succeeded / finished in the last 24 h, 0…1; null with none finished. */
  successRate24h: number | null;
  lastFailure: { at: string; statusCode: number | null; errorClass: string | null } | null;
}

export interface NotificationChannelHealth {
  id: string;
  kind: NotificationChannel['kind'];
  status: NotificationChannel['status'];
  brokenReason: string | null;
  health: Health;
}

export interface IntegrationHealth {
  status: Health;
  checkedAt: string;
  connections: ConnectionHealth[];
  videoConnections: VideoHealth[];
  webhookEndpoints: WebhookEndpointHealth[];
  notificationChannels: NotificationChannelHealth[];
}

const DAY_MS = 86_400_000;
/** A tenant's summary covers this many calendar connections at most (the rest are in GET /v1/connections). */
export const MAX_HEALTH_CONNECTIONS = 500;
/** Failures counted per connection at most ("1000+" is as actionable as the exact number). */
const MAX_COUNTED_FAILURES = 1_000;
/** Deliveries per endpoint the 24-hour success rate reads at most. */
const MAX_DELIVERIES_READ = 2_000;
/** A webhook endpoint below this success rate is degraded. */
const WEBHOOK_DEGRADED_BELOW = 0.95;
const BATCH = 8;

const worst = (levels: readonly Health[]): Health => (levels.includes('unhealthy') ? 'unhealthy' : levels.includes('degraded') ? 'degraded' : 'healthy');

async function inBatches<I, O>(inputs: readonly I[], task: (input: I) => Promise<O>): Promise<O[]> {
  const out: O[] = [];
  for (let i = 0; i < inputs.length; i += BATCH) out.push(...(await Promise.all(inputs.slice(i, i + BATCH).map(task))));
  return out;
}

async function allConnections(deps: HealthDeps, tenantId: string): Promise<Connection[]> {
  const connections: Connection[] = [];
  let cursor: string | null = null;
  do {
    const page = await deps.connections.list(tenantId, { cursor, limit: 100 });
    connections.push(...page.items);
    cursor = page.cursor;
  } while (cursor && connections.length < MAX_HEALTH_CONNECTIONS);
  return connections.slice(0, MAX_HEALTH_CONNECTIONS);
}

async function connectionHealth(deps: HealthDeps, connection: Connection, now: Date): Promise<ConnectionHealth> {
  const [calendars, errorsLast24h] = await Promise.all([
    deps.calendars.listByConnection(connection.tenantId, connection.id),
    deps.integrationLog.countFailures(connection.tenantId, connection.id, new Date(now.getTime() - DAY_MS), MAX_COUNTED_FAILURES),
  ]);
  const synced = calendars.filter((calendar) => calendar.syncEnabled);
  const pushExpiries = synced.flatMap((calendar) => (calendar.push ? [calendar.push.expiresAt] : [])).sort();
  // The sync worker sets the next scheduled sync to the end of the last run plus the interval (poll interval
  // for CalDAV, safety interval where push exists); a calendar never synced yet is due now.
  const intervalMs = (connection.provider === 'caldav' ? deps.settings.pollIntervalMinutes : deps.settings.syncIntervalMinutes) * 60_000;
  const nextSyncs = synced.map((calendar) => (calendar.lastSyncedAt ? new Date(Date.parse(calendar.lastSyncedAt) + intervalMs).toISOString() : now.toISOString())).sort();
  const pushLapsed = pushExpiries.length > 0 && Date.parse(pushExpiries[0]!) < now.getTime();
  const health: Health =
    connection.status === 'reauth_required' || connection.status === 'disabled'
      ? 'unhealthy'
      : connection.status === 'error' || errorsLast24h > 0 || connection.consecutiveErrors > 0 || pushLapsed
        ? 'degraded'
        : 'healthy';
  return {
    id: connection.id,
    provider: connection.provider,
    accountEmail: connection.accountEmail,
    status: connection.status,
    health,
    lastSuccessfulSyncAt: connection.lastSyncedAt,
    consecutiveErrors: connection.consecutiveErrors,
    errorsLast24h,
    lastError: connection.lastError,
    syncedCalendars: synced.length,
    pushChannelExpiresAt: pushExpiries[0] ?? null,
    nextSyncAt: nextSyncs[0] ?? null,
  };
}

async function videoHealth(deps: HealthDeps, connection: VideoConnection, now: Date): Promise<VideoHealth> {
  const day = utcDay(now);
  const quota = videoQuotaOf(connection.userId, await deps.videoConnections.usageByUser(connection.tenantId, connection.id, day), day);
  // Any Zoom user out of today's quota gets bookings without links until midnight UTC.
  const exhausted = quota.users.some((user) => user.remaining === 0);
  return {
    id: connection.id,
    provider: connection.provider,
    status: connection.status,
    health: connection.status === 'reauth_required' ? 'unhealthy' : exhausted ? 'degraded' : 'healthy',
    quota,
  };
}

async function endpointHealth(deps: HealthDeps, endpoint: WebhookEndpoint, now: Date): Promise<WebhookEndpointHealth> {
  let succeeded = 0;
  let failed = 0;
  let lastFailure: WebhookEndpointHealth['lastFailure'] = null;
  let cursor: string | null = null;
  let read = 0;
  do {
    const page = await deps.deliveries.listSince(endpoint.tenantId, endpoint.id, new Date(now.getTime() - DAY_MS), ['pending', 'succeeded', 'failed'], { cursor, limit: 200 });
    for (const delivery of page.items) {
      if (delivery.status === 'succeeded') succeeded += 1;
      if (delivery.status === 'failed') failed += 1;
      for (const attempt of delivery.attempts) {
        if (attempt.errorClass !== null && (!lastFailure || attempt.at > lastFailure.at)) lastFailure = { at: attempt.at, statusCode: attempt.statusCode, errorClass: attempt.errorClass };
      }
    }
    read += page.items.length;
    cursor = page.cursor;
  } while (cursor && read < MAX_DELIVERIES_READ);
  const finished = succeeded + failed;
  const successRate24h = finished === 0 ? null : succeeded / finished;
  const health: Health = !endpoint.enabled ? 'unhealthy' : endpoint.failingSince !== null || (successRate24h !== null && successRate24h < WEBHOOK_DEGRADED_BELOW) ? 'degraded' : 'healthy';
  return {
    id: endpoint.id,
    url: endpoint.url,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    health,
    failingSince: endpoint.failingSince,
    deliveriesLast24h: finished,
    successRate24h: successRate24h === null ? null : Math.round(successRate24h * 10_000) / 10_000,
    lastFailure,
  };
}

function channelHealth(channel: NotificationChannel): NotificationChannelHealth {
  return { id: channel.id, kind: channel.kind, status: channel.status, brokenReason: channel.brokenReason, health: channel.status === 'broken' ? 'unhealthy' : 'healthy' };
}

/**
 * GET /v1/health/integrations: one look at everything the tenant has connected — calendar connections (status,
 * last successful sync, error counts, push expiry, next sync), video connections (today's quota), webhook
 * endpoints (24-hour success rate, last failure) and notification channels — each with a health level, and
 * the worst of them as the overall status.
 */
export async function integrationHealth(deps: HealthDeps, tenantId: string): Promise<IntegrationHealth> {
  const now = deps.clock.now();
  const [connections, videos, endpoints, channels] = await Promise.all([allConnections(deps, tenantId), deps.videoConnections.listAll(tenantId), deps.endpoints.listAll(tenantId), deps.channels.listAll(tenantId)]);
  const connectionHealths = await inBatches(connections, (connection) => connectionHealth(deps, connection, now));
  const videoHealths = await inBatches(videos, (video) => videoHealth(deps, video, now));
  const endpointHealths = await inBatches(endpoints, (endpoint) => endpointHealth(deps, endpoint, now));
  const channelHealths = channels.map(channelHealth);
  return {
    status: worst([...connectionHealths, ...videoHealths, ...endpointHealths, ...channelHealths].map((item) => item.health)),
    checkedAt: now.toISOString(),
    connections: connectionHealths,
    videoConnections: videoHealths,
    webhookEndpoints: endpointHealths,
    notificationChannels: channelHealths,
  };
}
