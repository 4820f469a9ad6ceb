import { createHash, timingSafeEqual } from 'node:crypto';
import type { Calendar, PushChannel, PushKind } from '../../domain/calendar.ts';
import { newId, randomToken } from '../../domain/ids.ts';
import type { CalendarProvider, PushSubscribeRequest, PushSubscription } from '../../ports/calendar-provider.ts';
import type { CalendarStore, PushChannelIndex } from '../../ports/calendar-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Log } from '../../ports/log.ts';

export interface PushSettings {
  /** Public base URL of the API (providers call `/hooks/...` under it). */
  publicBaseUrl: string;
  /** Lifetime to ask for (Google honours it; Graph caps Outlook subscriptions at 4,230 minutes). */
  channelTtlSeconds: number;
  /** Renew when a channel expires sooner than this. */
  renewBeforeMs: number;
}

export interface PushDeps {
  calendars: CalendarStore;
  pushChannels: PushChannelIndex;
  clock: Clock;
  log: Log;
  settings: PushSettings;
}

/** Graph's cap for Outlook event subscriptions (providers.md B32). */
export const GRAPH_MAX_SUBSCRIPTION_MINUTES = 4_230;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Compares a received secret with a stored hash in constant time. */
export function secretMatches(received: string | undefined, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(received ?? ''));
  const expected = Buffer.from(storedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function subscribeRequest(deps: PushDeps, calendar: Calendar, kind: PushKind): PushSubscribeRequest & { secret: string } {
  const base = deps.settings.publicBaseUrl.replace(/\/$/, '');
  const ttl = kind === 'graph-subscription' ? Math.min(deps.settings.channelTtlSeconds, (GRAPH_MAX_SUBSCRIPTION_MINUTES - 5) * 60) : deps.settings.channelTtlSeconds;
  return {
    calendar: { providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone },
    address: kind === 'google-channel' ? `${base}/hooks/google` : `${base}/hooks/microsoft`,
    lifecycleAddress: kind === 'graph-subscription' ? `${base}/hooks/microsoft/lifecycle` : null,
    channelId: newId('chn', deps.clock.now().getTime()),
    secret: randomToken(32),
    ttlSeconds: ttl,
  };
}

function toSubscription(push: PushChannel): PushSubscription {
  return { channelId: push.channelId, resourceId: push.resourceId, expiresAt: new Date(push.expiresAt) };
}

async function register(deps: PushDeps, calendar: Calendar, kind: PushKind, channelId: string, secretHash: string, expiresAt: Date): Promise<void> {
  await deps.pushChannels.put({ channelId, kind, tenantId: calendar.tenantId, connectionId: calendar.connectionId, calendarId: calendar.id, secretHash, expiresAt: expiresAt.toISOString() });
}

/**
 * Opens a push channel for a calendar, or replaces one that is missing or about to expire. Google calls the
 * address with a `sync` message possibly before `events.watch` even returns, so a Google channel is indexed
 * before it is created; a Graph subscription id is Graph's, so it is indexed after. A replaced channel is
 * stopped only once the new one exists (new first, then old).
 */
export async function ensurePushChannel(deps: PushDeps, calendar: Calendar, provider: CalendarProvider, options: { force?: boolean } = {}): Promise<PushChannel | null> {
  if (provider.push === 'none') return null;
  const kind: PushKind = provider.push;
  const now = deps.clock.now().getTime();
  const current = calendar.push;
  if (!options.force && current && current.kind === kind && Date.parse(current.expiresAt) - deps.settings.renewBeforeMs > now) return current;

  const request = subscribeRequest(deps, calendar, kind);
  const secretHash = hashSecret(request.secret);
  const provisionalExpiry = new Date(now + request.ttlSeconds * 1000);
  if (kind === 'google-channel') await register(deps, calendar, kind, request.channelId, secretHash, provisionalExpiry);

  let subscription: PushSubscription;
  let sameChannel = false;
  try {
    if (current && current.kind === kind) {
      subscription = await provider.renew(toSubscription(current), request);
      sameChannel = subscription.channelId === current.channelId;
    } else {
      subscription = await provider.subscribe(request);
    }
  } catch (error) {
    if (kind === 'google-channel') await deps.pushChannels.delete(request.channelId).catch(() => undefined);
    throw error;
  }

  const push: PushChannel = {
    kind,
    channelId: subscription.channelId,
    resourceId: subscription.resourceId,
    // Renewing a Graph subscription keeps its clientState; a new channel has the new secret.
    secretHash: sameChannel && current ? current.secretHash : secretHash,
    expiresAt: subscription.expiresAt.toISOString(),
  };
  await register(deps, calendar, kind, push.channelId, push.secretHash, subscription.expiresAt);
  await deps.calendars.update(calendar.tenantId, calendar.id, { push, updatedAt: deps.clock.now().toISOString() });

  if (current && !sameChannel) {
    await provider.unsubscribe({ providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone }, toSubscription(current)).catch((error: unknown) => {
      deps.log.warn('could not stop the replaced push channel (it expires on its own)', { calendarId: calendar.id, error: String(error) });
    });
    await deps.pushChannels.delete(current.channelId);
  }
  return push;
}

/** Stops a calendar's push channel (disconnect, sync disabled); best effort at the provider. */
export async function stopPushChannel(deps: PushDeps, calendar: Calendar, provider: CalendarProvider | null): Promise<void> {
  const current = calendar.push;
  if (!current) return;
  if (provider) {
    await provider.unsubscribe({ providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone }, toSubscription(current)).catch((error: unknown) => {
      deps.log.warn('could not stop push channel at the provider', { calendarId: calendar.id, error: String(error) });
    });
  }
  await deps.pushChannels.delete(current.channelId);
  await deps.calendars.update(calendar.tenantId, calendar.id, { push: null, updatedAt: deps.clock.now().toISOString() });
}
