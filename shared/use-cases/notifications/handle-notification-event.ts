import type { DomainEvent } from '../../domain/domain-events.ts';
import type { NotificationRecord } from '../../domain/notification.ts';
import { isBookingNotificationEvent, notifyBookingEvent, notifyReminder, type BookingNotificationDeps } from './booking-notifications.ts';
import type { DeliveryAttempt } from './deliver-notification.ts';
import { notifyOperators, OPERATOR_NOTICE_EVENTS, type OperatorNoticeDeps } from './operator-notices.ts';

export type NotificationEventDeps = BookingNotificationDeps & OperatorNoticeDeps;

/** The event types the notification consumer is routed (infra/topology.ts EVENT_ROUTES). */
export const NOTIFICATION_EVENT_TYPES: readonly string[] = ['booking.created', 'booking.rescheduled', 'booking.cancelled', 'booking.reminder_due', ...OPERATOR_NOTICE_EVENTS.filter((type) => type !== 'notification.channel_broken')];

/** One domain event from the bus → the notifications it causes (booking messages, operator notices). */
export async function handleNotificationEvent(deps: NotificationEventDeps, event: DomainEvent, attempt: DeliveryAttempt): Promise<NotificationRecord[]> {
  if (isBookingNotificationEvent(event)) return notifyBookingEvent(deps, event, attempt);
  if (event.type === 'booking.reminder_due') return notifyReminder(deps, event as DomainEvent<'booking.reminder_due'>, attempt);
  if (OPERATOR_NOTICE_EVENTS.includes(event.type)) return notifyOperators(deps, { ...event, data: event.data as Record<string, unknown> }, attempt);
  return [];
}
