import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { Connection } from '../../../shared/domain/connection.ts';
import type { NotificationChannel } from '../../../shared/domain/notification-channel.ts';
import type { VideoConnection } from '../../../shared/domain/video-connection.ts';
import type { WebhookDelivery } from '../../../shared/domain/webhook-delivery.ts';
import type { WebhookEndpoint } from '../../../shared/domain/webhook-endpoint.ts';
import { integrationHealth, type HealthDeps } from '../../../shared/use-cases/logs/integration-health.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
const T = 'acme';

const connection = (id: string, over: Partial<Connection> = {}): Connection => ({
  tenantId: T, id, provider: 'google', status: 'active', accountId: id, accountEmail: `${id}@example.com`, displayName: null, serverUrl: null,
  consecutiveErrors: 0, lastError: null, lastSyncedAt: '2026-12-07T11:00:00.000Z', createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', version: 1, ...over,
});
const calendar = (connectionId: string, over: Partial<Calendar> = {}): Calendar =>
  ({ tenantId: T, id: `cal-${connectionId}`, connectionId, syncEnabled: true, lastSyncedAt: '2026-12-07T11:00:00.000Z', push: null, ...over }) as Calendar;
const delivery = (status: WebhookDelivery['status'], attempts: { at: string; statusCode: number | null; errorClass: string | null }[] = []): WebhookDelivery => ({ status, attempts }) as unknown as WebhookDelivery;

function deps(world: {
  connections: Connection[];
  calendars: Calendar[];
  failures?: Record<string, number>;
  videos?: VideoConnection[];
  /** Zoom user → creates/updates counted today. */
  usage?: Record<string, number>;
  endpoints?: WebhookEndpoint[];
  deliveries?: WebhookDelivery[];
  channels?: NotificationChannel[];
}): HealthDeps {
  return {
    connections: { list: async () => ({ items: world.connections, cursor: null }) },
    calendars: { listByConnection: async (_t, id) => world.calendars.filter((c) => c.connectionId === id) },
    integrationLog: { countFailures: async (_t, id, since) => (since.getTime() === NOW.getTime() - 86_400_000 ? (world.failures?.[id] ?? 0) : -1) },
    videoConnections: { listAll: async () => world.videos ?? [], usageByUser: async () => new Map(Object.entries(world.usage ?? {})) },
    endpoints: { listAll: async () => world.endpoints ?? [] },
    deliveries: { listSince: async () => ({ items: world.deliveries ?? [], cursor: null }) },
    channels: { listAll: async () => world.channels ?? [] },
    clock: { now: () => NOW },
    settings: { syncIntervalMinutes: 360, pollIntervalMinutes: 5 },
  };
}

describe('integration health summary', () => {
  it('a quiet tenant is healthy; next sync is the last run plus the interval (poll for CalDAV), push expiry the earliest', async () => {
    const health = await integrationHealth(
      deps({
        connections: [connection('g'), connection('c', { provider: 'caldav' })],
        calendars: [
          calendar('g', { push: { kind: 'google-channel', channelId: 'x', resourceId: 'r', secretHash: 'h', expiresAt: '2026-12-10T00:00:00.000Z' } }),
          calendar('g', { id: 'cal-g2', lastSyncedAt: null, push: { kind: 'google-channel', channelId: 'y', resourceId: 'r', secretHash: 'h', expiresAt: '2026-12-09T00:00:00.000Z' } }),
          calendar('g', { id: 'cal-off', syncEnabled: false }),
          calendar('c'),
        ],
      }),
      T,
    );
    expect(health.status).toBe('healthy');
    const [google, caldav] = health.connections;
    // The never-synced calendar is due now; the other at 11:00 + 6 h.
    expect(google).toMatchObject({ health: 'healthy', syncedCalendars: 2, nextSyncAt: NOW.toISOString(), pushChannelExpiresAt: '2026-12-09T00:00:00.000Z', errorsLast24h: 0 });
    expect(caldav).toMatchObject({ nextSyncAt: '2026-12-07T11:05:00.000Z', pushChannelExpiresAt: null });
  });

  it('errors today or a lapsed push channel degrade a connection; reauthorization or disabled make it unhealthy', async () => {
    const health = await integrationHealth(
      deps({
        connections: [connection('a'), connection('b'), connection('c', { status: 'reauth_required' }), connection('d', { status: 'disabled', consecutiveErrors: 5 })],
        calendars: [calendar('b', { push: { kind: 'google-channel', channelId: 'x', resourceId: 'r', secretHash: 'h', expiresAt: '2026-12-07T11:59:00.000Z' } })],
        failures: { a: 3 },
      }),
      T,
    );
    expect(health.connections.map((c) => [c.id, c.health, c.errorsLast24h])).toEqual([
      ['a', 'degraded', 3],
      ['b', 'degraded', 0],
      ['c', 'unhealthy', 0],
      ['d', 'unhealthy', 0],
    ]);
    expect(health.status).toBe('unhealthy');
  });

  it("video quota, webhook success rate and last failure, broken channels", async () => {
    const video = { tenantId: T, id: 'vcn', provider: 'zoom', kind: 's2s', accountId: 'acc', userId: 'u1', userEmail: null, status: 'active', createdAt: '', updatedAt: '' } as VideoConnection;
    const endpoint = { tenantId: T, id: 'whe', url: 'https://hooks.example/x', enabled: true, disabledReason: null, failingSince: null } as unknown as WebhookEndpoint;
    const health = await integrationHealth(
      deps({
        connections: [],
        calendars: [],
        videos: [video],
        usage: { u1: 100 },
        endpoints: [endpoint],
        deliveries: [
          ...Array.from({ length: 18 }, () => delivery('succeeded')),
          delivery('succeeded', [{ at: '2026-12-07T09:00:00.000Z', statusCode: 503, errorClass: 'http_5xx' }]),
          delivery('failed', [{ at: '2026-12-07T10:00:00.000Z', statusCode: null, errorClass: 'timeout' }]),
          delivery('pending', [{ at: '2026-12-07T11:30:00.000Z', statusCode: 500, errorClass: 'http_5xx' }]),
        ],
        channels: [{ id: 'ntc', kind: 'slack', status: 'broken', brokenReason: 'hook gone' } as NotificationChannel],
      }),
      T,
    );
    expect(health.videoConnections[0]).toMatchObject({ health: 'degraded', quota: { day: '2026-12-07', used: 100, limit: 100, left: 0, limitPerUserPerDay: 100, users: [{ userId: 'u1', used: 100, remaining: 0 }] } });
    // 19 of 20 finished deliveries succeeded (the pending one is not finished); its failed attempt is the latest failure.
    expect(health.webhookEndpoints[0]).toMatchObject({ deliveriesLast24h: 20, successRate24h: 0.95, health: 'healthy', lastFailure: { at: '2026-12-07T11:30:00.000Z', statusCode: 500, errorClass: 'http_5xx' } });
    expect(health.notificationChannels[0]).toMatchObject({ health: 'unhealthy', brokenReason: 'hook gone' });
    expect(health.status).toBe('unhealthy');
  });

  it('video quota per Zoom user: the default host first (also unused), then every other user hosted for today; any user out of quota degrades', async () => {
    const video = { tenantId: T, id: 'vcn', provider: 'zoom', kind: 's2s', accountId: 'acc', userId: 'host', userEmail: null, status: 'active', createdAt: '', updatedAt: '' } as VideoConnection;
    const health = await integrationHealth(deps({ connections: [], calendars: [], videos: [video], usage: { zed: 100, amy: 7 } }), T);
    expect(health.videoConnections[0]!.quota).toEqual({
      day: '2026-12-07',
      limitPerUserPerDay: 100,
      users: [
        { userId: 'host', used: 0, remaining: 100 },
        { userId: 'amy', used: 7, remaining: 93 },
        { userId: 'zed', used: 100, remaining: 0 },
      ],
      userId: 'host',
      used: 0,
      limit: 100,
      left: 100,
    });
    expect(health.videoConnections[0]!.health).toBe('degraded');
    const fine = await integrationHealth(deps({ connections: [], calendars: [], videos: [video], usage: { amy: 99 } }), T);
    expect(fine.videoConnections[0]!.health).toBe('healthy');
  });
});
