import { notFound } from '../../domain/app-error.ts';
import type { NotificationRecord, NotificationStatus } from '../../domain/notification.ts';
import type { Clock } from '../../ports/clock.ts';
import type { NotificationLog, NotificationOptOutStore, UnsubscribeTarget } from '../../ports/notification-log.ts';

export type NotificationView = Omit<NotificationRecord, 'tenantId'>;

export function toNotificationView(record: NotificationRecord): NotificationView {
  const { tenantId: _tenant, ...view } = record;
  return view;
}

/** GET /v1/notifications: the tenant's delivery log, newest first, filtered by booking and status. */
export async function listNotifications(
  deps: { log: Pick<NotificationLog, 'list'> },
  input: { tenantId: string; bookingId?: string | undefined; status?: NotificationStatus | undefined; cursor?: string | undefined; limit: number },
): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
  const page = await deps.log.list(input.tenantId, { bookingId: input.bookingId, status: input.status, cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toNotificationView), nextCursor: page.cursor };
}

/**
 * The unsubscribe link: the token names (tenant, channel, recipient); the recipient is opted out of that
 * channel for the tenant. Using a link again is harmless (still opted out).
 */
export async function unsubscribe(deps: { optOuts: NotificationOptOutStore; clock: Clock }, token: string): Promise<UnsubscribeTarget> {
  const target = await deps.optOuts.findUnsubscribeToken(token, deps.clock.now());
  if (!target) throw notFound('Unsubscribe link');
  await deps.optOuts.optOut(target.tenantId, target.channel, target.recipient, 'link', deps.clock.now());
  return target;
}
