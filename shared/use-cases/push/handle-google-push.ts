import type { CalendarStore, PushChannelIndex } from '../../ports/calendar-store.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import type { Log } from '../../ports/log.ts';
import { requestSync, type RequestSyncDeps } from '../sync/request-sync.ts';
import { secretMatches } from './push-channels.ts';

export interface GooglePushHeaders {
  channelId: string;
  channelToken: string | undefined;
  resourceState: string;
  resourceId: string | undefined;
  messageNumber: string | undefined;
}

export type GooglePushOutcome = 'sync_requested' | 'coalesced' | 'ignored_sync_message' | 'unknown_channel' | 'rejected';

export interface GooglePushDeps extends RequestSyncDeps {
  calendars: CalendarStore;
  pushChannels: PushChannelIndex;
  log: Log;
  /** The integration log: one push.received entry per accepted push. */
  integrationLog?: IntegrationLogWriter | undefined;
}

/**
 * A Google push says only "something changed" (providers.md A14). We check that the channel is ours and the
 * token is its secret (constant time), ignore the initial `sync` message, and ask for a sync — nothing
 * else, so the answer is fast. An unknown or stopped channel is not an error for Google: it gets a 200 and
 * is ignored, so Google does not retry it.
 */
export async function handleGooglePush(deps: GooglePushDeps, headers: GooglePushHeaders): Promise<GooglePushOutcome> {
  const entry = await deps.pushChannels.get(headers.channelId);
  if (!entry || entry.kind !== 'google-channel') return 'unknown_channel';
  if (!secretMatches(headers.channelToken, entry.secretHash)) {
    deps.log.warn('google push with a wrong channel token', { channelId: headers.channelId });
    return 'rejected';
  }
  if (headers.resourceState === 'sync') return 'ignored_sync_message';
  const calendar = await deps.calendars.get(entry.tenantId, entry.calendarId);
  if (!calendar || !calendar.syncEnabled) return 'unknown_channel';
  const enqueued = await requestSync(deps, [calendar], 'push');
  await recordIntegrationEvent(deps, { tenantId: calendar.tenantId, type: 'push.received', success: true, connectionId: calendar.connectionId, resourceId: calendar.id, summary: `Google push (${headers.resourceState}): ${enqueued > 0 ? 'sync requested' : 'a sync is already pending'}`, details: { provider: 'google', resourceState: headers.resourceState, syncRequested: enqueued > 0 } });
  return enqueued > 0 ? 'sync_requested' : 'coalesced';
}
