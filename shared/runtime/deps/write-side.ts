import type { SyncJob } from '../../domain/sync-job.ts';
import type { CompleteAuthorizationDeps } from '../../use-cases/connect/complete-authorization.ts';
import type { ConnectCaldavDeps } from '../../use-cases/connect/connect-caldav.ts';
import type { OAuthSettings, StartAuthorizationDeps } from '../../use-cases/connect/start-authorization.ts';
import type { GooglePushDeps } from '../../use-cases/push/handle-google-push.ts';
import type { PushSettings } from '../../use-cases/push/push-channels.ts';
import type { RenewDeps } from '../../use-cases/push/renew-push-channels.ts';
import type { RequestSyncDeps } from '../../use-cases/sync/request-sync.ts';
import type { ScheduleDeps } from '../../use-cases/sync/schedule-due-syncs.ts';
import type { SyncJobDeps } from '../../use-cases/sync/run-sync-job.ts';
import { DEFAULT_SYNC_SETTINGS, type SyncSettings } from '../../use-cases/sync/sync-calendar.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { integrationLogStore } from './integration-log.ts';
import { eventPublisher, jobQueue } from './messaging.ts';
import { calendarProviders, oauthClients } from './providers.ts';
import { calendarStore, connectionStore, eventStore, oauthStateStore, pushChannelIndex } from './storage.ts';

/** Dependencies of the write side (connect, push, sync, schedules), assembled from the per-process adapters. */

export function pushSettings(): PushSettings {
  const c = config();
  return { publicBaseUrl: c.PUBLIC_BASE_URL, channelTtlSeconds: c.PUSH_CHANNEL_TTL_SECONDS, renewBeforeMs: c.PUSH_RENEW_BEFORE_HOURS * 3_600_000 };
}

export function oauthSettings(): OAuthSettings {
  const c = config();
  return { publicBaseUrl: c.PUBLIC_BASE_URL, allowedReturnOrigins: c.ALLOWED_RETURN_ORIGINS, stateTtlSeconds: 600 };
}

export function syncSettings(): SyncSettings {
  const c = config();
  return { ...DEFAULT_SYNC_SETTINGS, syncIntervalMinutes: c.SYNC_INTERVAL_MINUTES, pollIntervalMinutes: c.CALDAV_POLL_INTERVAL_MINUTES };
}

export function requestSyncDeps(): RequestSyncDeps {
  return { calendars: calendarStore(), syncQueue: jobQueue<SyncJob>('sync'), clock: clock() };
}

export function startAuthorizationDeps(): StartAuthorizationDeps {
  return { oauthStates: oauthStateStore(), oauthClients: oauthClients(), clock: clock(), settings: oauthSettings() };
}

export function completeAuthorizationDeps(): CompleteAuthorizationDeps {
  return {
    ...requestSyncDeps(),
    oauthStates: oauthStateStore(),
    oauthClients: oauthClients(),
    connections: connectionStore(),
    providers: calendarProviders(),
    publisher: eventPublisher(),
    pushChannels: pushChannelIndex(),
    log: logger,
    settings: pushSettings(),
  };
}

/** Async because the CalDAV adapter (tsdav) is loaded only when someone connects a CalDAV account. */
export async function connectCaldavDeps(): Promise<ConnectCaldavDeps> {
  const { caldavOutboundPolicy, probeCaldavAccount } = await import('../../providers/caldav/index.ts');
  const isLocal = config().isLocal;
  return { ...completeAuthorizationDeps(), outbound: caldavOutboundPolicy(isLocal), probeCaldav: (url, credentials) => probeCaldavAccount(url, credentials, { isLocal }) };
}

export function googlePushDeps(): GooglePushDeps {
  return { ...requestSyncDeps(), pushChannels: pushChannelIndex(), log: logger, integrationLog: integrationLogStore() };
}

export function syncDeps(): SyncJobDeps {
  return {
    pushChannels: pushChannelIndex(),
    pushSettings: pushSettings(),
    calendars: calendarStore(),
    events: eventStore(),
    connections: connectionStore(),
    providers: calendarProviders(),
    publisher: eventPublisher(),
    clock: clock(),
    log: logger,
    settings: syncSettings(),
    integrationLog: integrationLogStore(),
  };
}

export function scheduleDeps(): ScheduleDeps {
  return { ...requestSyncDeps(), log: logger };
}

export function renewDeps(): RenewDeps {
  return {
    calendars: calendarStore(),
    pushChannels: pushChannelIndex(),
    connections: connectionStore(),
    providers: calendarProviders(),
    publisher: eventPublisher(),
    clock: clock(),
    log: logger,
    settings: pushSettings(),
    integrationLog: integrationLogStore(),
  };
}
