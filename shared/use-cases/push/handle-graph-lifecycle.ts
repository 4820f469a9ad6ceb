import { toAppError } from '../../domain/app-error.ts';
import type { CalendarProviderFactory } from '../../ports/calendar-provider.ts';
import type { CalendarStore } from '../../ports/calendar-store.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';
import { requestSync } from '../sync/request-sync.ts';
import { calendarsOf, verifyGraphItems, type GraphNotificationDeps, type GraphNotificationItem, type VerifiedGraphItem } from './handle-graph-notification.ts';
import { ensurePushChannel, type PushDeps } from './push-channels.ts';

export interface GraphLifecycleDeps extends GraphNotificationDeps, PushDeps {
  calendars: CalendarStore;
  connections: ConnectionStore;
  providers: CalendarProviderFactory;
  /** How long a renewal may run inside the request (Graph wants the answer within 3 s). */
  renewBudgetMs: number;
}

export interface GraphLifecycleOutcome {
  renewed: number;
  /** Subscriptions Graph removed: dropped here, recreated by the full sync that was requested. */
  resubscribing: number;
  /** Calendars that get a delta sync because Graph missed notifications. */
  syncsRequested: number;
  ignored: number;
}

const timeout = (ms: number) =>
  new Promise<'timeout'>((resolve) => {
    setTimeout(() => resolve('timeout'), ms).unref();
  });

/**
 * `reauthorizationRequired`: extend the subscription now (PATCH, same id and clientState) — a small call that
 * fits Graph's deadline; if it does not finish within the budget we still answer, and the hourly renewer
 * (which extends everything expiring within a day) catches it long before the 4,230-minute cap.
 */
async function renew(deps: GraphLifecycleDeps, { item, channel }: VerifiedGraphItem): Promise<boolean> {
  const calendar = await deps.calendars.get(channel.tenantId, channel.calendarId);
  if (!calendar?.syncEnabled || calendar.push?.channelId !== item.subscriptionId) return false;
  const connection = await deps.connections.get(calendar.tenantId, calendar.connectionId);
  if (!connection || connection.status === 'reauth_required' || connection.status === 'disabled') return false;
  const work = deps.providers
    .forConnection(connection)
    .then((provider) => ensurePushChannel(deps, calendar, provider, { force: true }))
    .then(() => true as const);
  const outcome = await Promise.race([work, timeout(deps.renewBudgetMs)]).catch((error: unknown) => {
    deps.log.warn('graph subscription renewal failed; the renewer retries', { calendarId: calendar.id, code: toAppError(error).code });
    return false as const;
  });
  if (outcome === 'timeout') {
    work.catch(() => undefined);
    deps.log.warn('graph subscription renewal still running at the deadline; the renewer covers it', { calendarId: calendar.id });
    return false;
  }
  return outcome;
}

/**
 * `subscriptionRemoved`: Graph deleted the subscription, and changes since then may be lost. We forget it
 * (index entry and the calendar's push) and ask for a full sync with reason `resubscribe`; the sync worker
 * opens a new subscription after syncing (runSyncJob does so for every calendar without push). Creating
 * it here instead would wait on Graph's validation round trip to our own endpoint, which does not fit 3 s.
 */
async function forgetRemoved(deps: GraphLifecycleDeps, { item, channel }: VerifiedGraphItem): Promise<boolean> {
  await deps.pushChannels.delete(item.subscriptionId);
  const calendar = await deps.calendars.get(channel.tenantId, channel.calendarId);
  if (!calendar?.syncEnabled) return false;
  if (calendar.push?.channelId === item.subscriptionId) await deps.calendars.update(calendar.tenantId, calendar.id, { push: null, updatedAt: deps.clock.now().toISOString() });
  await requestSync(deps, [calendar], 'resubscribe', { full: true });
  return true;
}

/** Lifecycle notifications (providers.md B35), verified like change notifications. */
export async function handleGraphLifecycle(deps: GraphLifecycleDeps, items: readonly GraphNotificationItem[]): Promise<GraphLifecycleOutcome> {
  const { verified, unknown, rejected } = await verifyGraphItems(deps, items);
  const outcome: GraphLifecycleOutcome = { renewed: 0, resubscribing: 0, syncsRequested: 0, ignored: unknown + rejected };
  const removed = new Set(verified.filter((v) => v.item.lifecycleEvent === 'subscriptionRemoved').map((v) => v.item.subscriptionId));
  const missed: VerifiedGraphItem[] = [];
  const handled = new Set<string>();
  for (const entry of verified) {
    const event = entry.item.lifecycleEvent;
    const key = `${event}/${entry.item.subscriptionId}`;
    if (handled.has(key)) continue;
    handled.add(key);
    if (event === 'subscriptionRemoved') {
      if (await forgetRemoved(deps, entry)) outcome.resubscribing += 1;
    } else if (event === 'reauthorizationRequired' && !removed.has(entry.item.subscriptionId)) {
      if (await renew(deps, entry)) outcome.renewed += 1;
    } else if (event === 'missed' && !removed.has(entry.item.subscriptionId)) {
      missed.push(entry);
    } else {
      outcome.ignored += 1;
    }
  }
  if (missed.length) outcome.syncsRequested = await requestSync(deps, calendarsOf(missed), 'lifecycle');
  return outcome;
}
