import * as z from 'zod/mini';
import type { PushChannelEntry, PushChannelIndex } from '../../ports/calendar-store.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import type { Log } from '../../ports/log.ts';
import { requestSync, type RequestSyncDeps } from '../sync/request-sync.ts';
import { secretMatches } from './push-channels.ts';

/** Graph batches notifications; a body is bounded so one request cannot make us do unbounded work. */
export const MAX_GRAPH_NOTIFICATIONS_PER_REQUEST = 1_000;

const GraphNotificationItem = z.looseObject({
  subscriptionId: z.string().check(z.minLength(1), z.maxLength(200)),
  clientState: z.nullish(z.string()),
  changeType: z.nullish(z.string()),
  lifecycleEvent: z.nullish(z.string()),
  resource: z.nullish(z.string()),
});
const GraphNotificationBody = z.looseObject({ value: z.array(GraphNotificationItem).check(z.maxLength(MAX_GRAPH_NOTIFICATIONS_PER_REQUEST)) });

export type GraphNotificationItem = z.infer<typeof GraphNotificationItem>;

/**
 * Graph's notification body `{"value":[{subscriptionId, clientState, changeType, resource, …}]}` (providers.md
 * B33; lifecycle notifications carry `lifecycleEvent` instead of `changeType`). Null when the body is not
 * JSON of that shape: the caller answers 400.
 */
export function parseGraphNotificationBody(raw: string): GraphNotificationItem[] | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = GraphNotificationBody.safeParse(json);
  return parsed.success ? parsed.data.value : null;
}

/**
 * The `validationToken` of Graph's subscription handshake (B31), read from the raw query string and
 * form-decoded (`+` is a space, `%3A` a colon), or null when the request is not a handshake.
 */
export function graphValidationToken(rawQueryString: string | null | undefined): string | null {
  if (!rawQueryString) return null;
  return new URLSearchParams(rawQueryString).get('validationToken');
}

export interface VerifiedGraphItem {
  item: GraphNotificationItem;
  channel: PushChannelEntry;
}

export interface GraphVerification {
  verified: VerifiedGraphItem[];
  /** Items of subscriptions we do not know (stopped, or never ours). */
  unknown: number;
  /** Items whose clientState is not the subscription's secret. */
  rejected: number;
}

/**
 * Keeps the items that belong to one of our Graph subscriptions and carry its clientState (compared in
 * constant time against the stored hash). One index lookup per distinct subscription.
 */
export async function verifyGraphItems(deps: { pushChannels: PushChannelIndex; log: Log }, items: readonly GraphNotificationItem[]): Promise<GraphVerification> {
  const ids = [...new Set(items.map((item) => item.subscriptionId))];
  const entries = new Map(await Promise.all(ids.map(async (id) => [id, await deps.pushChannels.get(id)] as const)));
  const result: GraphVerification = { verified: [], unknown: 0, rejected: 0 };
  for (const item of items) {
    const channel = entries.get(item.subscriptionId);
    if (!channel || channel.kind !== 'graph-subscription') {
      result.unknown += 1;
      continue;
    }
    if (!secretMatches(item.clientState ?? undefined, channel.secretHash)) {
      result.rejected += 1;
      continue;
    }
    result.verified.push({ item, channel });
  }
  if (result.rejected > 0) deps.log.warn('graph notifications with a wrong clientState ignored', { rejected: result.rejected });
  if (result.unknown > 0) deps.log.info('graph notifications for unknown subscriptions ignored', { unknown: result.unknown });
  return result;
}

/** The distinct calendars of verified items, in the shape requestSync takes. */
export function calendarsOf(verified: readonly VerifiedGraphItem[]): { tenantId: string; id: string; connectionId: string }[] {
  const calendars = new Map<string, { tenantId: string; id: string; connectionId: string }>();
  for (const { channel } of verified) calendars.set(`${channel.tenantId}/${channel.calendarId}`, { tenantId: channel.tenantId, id: channel.calendarId, connectionId: channel.connectionId });
  return [...calendars.values()];
}

export interface GraphNotificationDeps extends RequestSyncDeps {
  pushChannels: PushChannelIndex;
  log: Log;
  /** The integration log: one push.received entry per calendar notified. */
  integrationLog?: IntegrationLogWriter | undefined;
}

export interface GraphNotificationOutcome {
  accepted: number;
  unknown: number;
  rejected: number;
  /** Sync jobs enqueued (a calendar with a request already pending gets none: coalesced). */
  syncsRequested: number;
}

/**
 * Change notifications: like a Google push they only say "something changed" (we sync with delta, the item's
 * resource data is not trusted), so the work is index lookups and at most one coalesced sync request per
 * calendar — fast enough for Graph's 3-second deadline (B34). Items of unknown subscriptions or with a wrong
 * clientState are dropped; the request is still answered 202, because Graph retries anything else for hours
 * and an attacker learns nothing from the status.
 */
export async function handleGraphNotifications(deps: GraphNotificationDeps, items: readonly GraphNotificationItem[]): Promise<GraphNotificationOutcome> {
  const { verified, unknown, rejected } = await verifyGraphItems(deps, items);
  const calendars = calendarsOf(verified);
  const syncsRequested = calendars.length ? await requestSync(deps, calendars, 'push') : 0;
  for (const calendar of calendars) await recordIntegrationEvent(deps, { tenantId: calendar.tenantId, type: 'push.received', success: true, connectionId: calendar.connectionId, resourceId: calendar.id, summary: 'Microsoft Graph change notification: sync requested', details: { provider: 'microsoft' } });
  return { accepted: verified.length, unknown, rejected, syncsRequested };
}
