import { toAppError } from '../../domain/app-error.ts';
import type { NotificationChannel } from '../../domain/notification-channel.ts';
import { notificationIdFor, type NotificationRecord } from '../../domain/notification.ts';
import { eventTypeMatches } from '../../domain/webhook-endpoint.ts';
import type { IdempotencyStore } from '../../ports/idempotency-store.ts';
import type { NotificationChannelStore } from '../../ports/notification-channel-store.ts';
import { deliverNotification, type DeliveryAttempt, type DeliveryDeps } from './deliver-notification.ts';
import type { TemplateName } from './templates/catalog.ts';
import { renderNotification, type RenderTarget } from './templates/render.ts';

/**
 * Events that operator channels can subscribe to beyond the domain events of this service: other features
 * emit them (the video work's quota notice) or we do (a broken notification channel).
 */
export const OPERATOR_EVENT_TYPES: readonly string[] = ['video.quota_exhausted', 'notification.channel_broken'];

/** The events an operator gets notices for (each goes to the channels whose eventTypes match). */
export const OPERATOR_NOTICE_EVENTS: readonly string[] = [
  'connection.reauth_required',
  'connection.disabled',
  'connection.sync_failed',
  'webhook.endpoint.disabled',
  'video.quota_exhausted',
  'notification.channel_broken',
];

/** A notice's cause: a domain event, or a finding of our own (a channel found broken). */
export interface OperatorNoticeEvent {
  id: string;
  type: string;
  time: string;
  tenantId: string;
  data: Record<string, unknown>;
}

export interface OperatorNoticeDeps extends DeliveryDeps {
  channels: Pick<NotificationChannelStore, 'listAll' | 'getWithSecret' | 'markBroken'>;
  idempotency: Pick<IdempotencyStore, 'claim'>;
  defaultLocale: string;
}

/** connection.sync_failed is sent after every failed run; operators hear of it at most once a connection a UTC day. */
const DEBOUNCED: Record<string, (event: OperatorNoticeEvent) => string> = {
  'connection.sync_failed': (event) => `notice:connection.sync_failed:${String(event.data.connectionId)}:${event.time.slice(0, 10)}`,
};
const DEBOUNCE_TTL_SECONDS = 2 * 86_400;

const text = (value: unknown, fallback = ''): string => (value === null || value === undefined || value === '' ? fallback : String(value));

/** The placeholder values of each notice, from its event's data (never a token: events carry none). */
function noticeValues(event: OperatorNoticeEvent): Record<string, string> {
  const data = event.data;
  const error = data.error as { code?: string; message?: string } | null | undefined;
  return {
    provider: text(data.provider),
    account: text(data.accountEmail, text(data.connectionId)),
    connectionId: text(data.connectionId),
    error: text(error?.message, text(error?.code, text(data.error, 'no details'))),
    errors: text(data.consecutiveErrors, '0'),
    url: text(data.url),
    endpointId: text(data.endpointId),
    reason: text(data.reason),
    limit: text(data.limit),
    user: text(data.zoomUserId),
    resetAt: text(data.resetAt, '—'),
    kind: text(data.kind),
    channelId: text(data.channelId),
    target: text(data.target),
  };
}

function targetOf(channel: NotificationChannel, secret: string | null): RenderTarget | null {
  if (channel.kind === 'email' && channel.target.email) return { channel: 'email', email: channel.target.email };
  if ((channel.kind === 'sms' || channel.kind === 'whatsapp') && channel.target.phone) return { channel: channel.kind, phone: channel.target.phone };
  if (channel.kind === 'slack' && secret) return { channel: 'slack', webhookUrl: secret };
  return null;
}

/**
 * An operator notice to every active channel of the tenant whose eventTypes match, each once per event. A
 * Slack hook that is gone (404/410) marks its channel broken and tells the tenant's other channels
 * (`notification.channel_broken`). A transient failure of one channel is thrown (retryable) after the
 * others were tried.
 */
export async function notifyOperators(deps: OperatorNoticeDeps, event: OperatorNoticeEvent, attempt: DeliveryAttempt, exceptChannelId?: string): Promise<NotificationRecord[]> {
  if (!OPERATOR_NOTICE_EVENTS.includes(event.type)) return [];
  const channels = (await deps.channels.listAll(event.tenantId)).filter(
    (channel) => channel.status === 'active' && channel.id !== exceptChannelId && eventTypeMatches(channel.eventTypes, event.type),
  );
  if (channels.length === 0) return [];
  const trigger = { eventId: event.id, eventType: event.type, time: event.time };
  const debounceKey = DEBOUNCED[event.type]?.(event);
  if (debounceKey && !(await deps.idempotency.claim(event.tenantId, debounceKey, DEBOUNCE_TTL_SECONDS, deps.clock.now()))) {
    // Claimed already today: by an earlier event (skip), or by this one on an earlier try (go on).
    const ours = await Promise.all(channels.map((channel) => deps.log.get(event.tenantId, notificationIdFor(trigger, channel.kind, channel.id))));
    if (ours.every((record) => record === null)) return [];
  }
  const template = `operator.${event.type}` as TemplateName;
  const values = noticeValues(event);
  const records: NotificationRecord[] = [];
  let retry: unknown = null;
  for (const channel of channels) {
    const withSecret = channel.kind === 'slack' ? await deps.channels.getWithSecret(event.tenantId, channel.id) : null;
    const target = targetOf(channel, withSecret?.secret ?? null);
    if (!target) continue;
    try {
      const record = await deliverNotification(
        deps,
        {
          tenantId: event.tenantId,
          trigger,
          recipientKind: 'operator',
          // The channel id, not the address: a channel's notice is sent once even if its target is edited meanwhile.
          address: channel.id,
          displayRecipient: channel.kind === 'slack' ? (channel.target.webhookUrl ?? '…') : (channel.target.email ?? channel.target.phone ?? ''),
          channelId: channel.id,
          bookingId: null,
          template,
          render: (links) => renderNotification({ template, locale: deps.defaultLocale, values, unsubscribeUrl: links.unsubscribeUrl }, target),
        },
        attempt,
      );
      records.push(record);
      if (record.status === 'failed' && record.error?.code === 'notify.target_gone') await channelBroken(deps, event, channel, record, attempt);
    } catch (error) {
      if (!toAppError(error).retryable) throw error;
      retry ??= error;
    }
  }
  if (retry) throw retry;
  return records;
}

/** Marks the channel broken and tells the tenant's other channels that subscribe to notification.channel_broken. */
async function channelBroken(deps: OperatorNoticeDeps, cause: OperatorNoticeEvent, channel: NotificationChannel, record: NotificationRecord, attempt: DeliveryAttempt): Promise<void> {
  const reason = record.error?.message ?? 'the target is gone';
  await deps.channels.markBroken(cause.tenantId, channel.id, reason, deps.clock.now());
  deps.logger?.warn('notification channel marked broken', { channelId: channel.id, kind: channel.kind });
  await notifyOperators(
    deps,
    {
      id: `${record.id}:channel_broken`,
      type: 'notification.channel_broken',
      time: record.updatedAt,
      tenantId: cause.tenantId,
      data: { kind: channel.kind, channelId: channel.id, target: channel.target.webhookUrl ?? channel.target.email ?? channel.target.phone ?? '', error: reason },
    },
    attempt,
    channel.id,
  );
}
