import { toAppError } from '../../domain/app-error.ts';
import type { BookingView } from '../../domain/booking.ts';
import type { DomainEvent } from '../../domain/domain-events.ts';
import type { NotificationRecord } from '../../domain/notification.ts';
import { bookingIcs } from '../../notify/ics.ts';
import type { BookingTypeStore } from '../../ports/booking-type-store.ts';
import type { ScheduleStore } from '../../ports/schedule-store.ts';
import { deliverNotification, type DeliveryAttempt, type DeliveryDeps, type NotificationRequest } from './deliver-notification.ts';
import { formatWhen, type TemplateName } from './templates/catalog.ts';
import { renderNotification, type RenderTarget } from './templates/render.ts';

export interface BookingNotificationDeps extends DeliveryDeps {
  bookingTypes: Pick<BookingTypeStore, 'get'>;
  schedules: Pick<ScheduleStore, 'getMany'>;
  /** The .ics ORGANIZER when no host has an address (the EMAIL_FROM address). */
  organizerEmail: string;
  /** Locale of recipients who did not give one. */
  defaultLocale: string;
}

export const BOOKING_NOTIFICATION_EVENTS = ['booking.created', 'booking.rescheduled', 'booking.cancelled'] as const;
type BookingEventType = (typeof BOOKING_NOTIFICATION_EVENTS)[number];

export function isBookingNotificationEvent(event: DomainEvent): event is DomainEvent<BookingEventType> {
  return (BOOKING_NOTIFICATION_EVENTS as readonly string[]).includes(event.type);
}

/** One person a booking message goes to, with how they read dates. */
export interface BookingRecipient {
  kind: 'invitee' | 'host';
  name: string;
  email: string | null;
  phone: string | null;
  timeZone: string;
  locale: string;
}

/** The invitee and every host with an address; hosts read times in their schedule's zone. */
export async function bookingRecipients(deps: Pick<BookingNotificationDeps, 'bookingTypes' | 'schedules' | 'defaultLocale'>, tenantId: string, booking: BookingView): Promise<{ title: string; recipients: BookingRecipient[] }> {
  const type = await deps.bookingTypes.get(tenantId, booking.bookingTypeId);
  const scheduleOfCalendar = new Map((type?.hosts ?? []).map((host) => [host.writeCalendarId, host.scheduleId]));
  const schedules = await deps.schedules.getMany(tenantId, [...new Set(scheduleOfCalendar.values())]);
  const invitee = booking.invitee;
  const recipients: BookingRecipient[] = [
    { kind: 'invitee', name: invitee.name, email: invitee.email, phone: invitee.phone ?? null, timeZone: invitee.timeZone, locale: invitee.locale ?? deps.defaultLocale },
  ];
  for (const host of booking.hosts) {
    if (!host.email) continue;
    const scheduleId = scheduleOfCalendar.get(host.writeCalendarId);
    const timeZone = (scheduleId ? schedules.get(scheduleId)?.timeZone : undefined) ?? invitee.timeZone;
    recipients.push({ kind: 'host', name: host.name ?? host.email, email: host.email, phone: null, timeZone, locale: deps.defaultLocale });
  }
  return { title: type?.name ?? 'Booking', recipients };
}

/**
 * The .ics of a booking change: METHOD REQUEST for a new or moved booking, CANCEL for a cancelled one, one
 * UID per booking, and a SEQUENCE that grows with every change (seconds since the booking was made), so a
 * calendar client replaces the invitation it holds.
 */
export function bookingInvitation(eventType: BookingEventType, eventTime: string, booking: BookingView, title: string, organizerEmail: string): string {
  const firstHost = booking.hosts.find((host) => host.email);
  const sequence = eventType === 'booking.created' ? 0 : Math.max(1, Math.floor((Date.parse(eventTime) - Date.parse(booking.createdAt)) / 1000));
  return bookingIcs({
    method: eventType === 'booking.cancelled' ? 'CANCEL' : 'REQUEST',
    uid: `${booking.id}@calendar-integrations`,
    sequence,
    start: new Date(booking.start),
    end: new Date(booking.end),
    stamp: new Date(eventTime),
    summary: title,
    ...(booking.notes ? { description: booking.notes } : {}),
    ...(booking.conference.joinUrl ? { location: booking.conference.joinUrl } : {}),
    organizer: firstHost?.email ? { email: firstHost.email, ...(firstHost.name ? { name: firstHost.name } : {}) } : { email: organizerEmail },
    attendees: [{ email: booking.invitee.email, name: booking.invitee.name }, ...booking.hosts.filter((host) => host.email && host !== firstHost).map((host) => ({ email: host.email!, ...(host.name ? { name: host.name } : {}) }))],
  });
}

/** The requests for one booking message to every recipient (email, and SMS to an invitee who gave a phone). */
export function bookingMessageRequests(
  tenantId: string,
  trigger: NotificationRequest['trigger'],
  template: TemplateName,
  booking: BookingView,
  title: string,
  recipients: readonly BookingRecipient[],
  options: { ics?: { method: 'REQUEST' | 'CANCEL'; content: string }; previous?: { start: string }; reason?: string; channels?: readonly ('email' | 'sms' | 'whatsapp')[] } = {},
): NotificationRequest[] {
  const channels = options.channels ?? ['email', 'sms'];
  const requests: NotificationRequest[] = [];
  for (const recipient of recipients) {
    const people = [booking.invitee.name, ...booking.hosts.map((host) => host.name ?? host.email ?? '')].filter((name) => name && name !== recipient.name).join(', ');
    const values = {
      title,
      name: recipient.name,
      when: formatWhen(booking.start, recipient.timeZone, recipient.locale),
      previous: options.previous ? formatWhen(options.previous.start, recipient.timeZone, recipient.locale) : '',
      people,
      reason: options.reason ?? '',
    };
    const base = { tenantId, trigger, recipientKind: recipient.kind, channelId: null, bookingId: booking.id, template } as const;
    const render = (target: RenderTarget, unsubscribeUrl: string | null) =>
      renderNotification(
        {
          template,
          locale: recipient.locale,
          values,
          joinUrl: booking.status === 'cancelled' || template === 'booking.cancelled' ? null : booking.conference.joinUrl,
          notes: booking.notes ?? null,
          attachments: options.ics && target.channel === 'email' ? [{ filename: 'invite.ics', contentType: `text/calendar; method=${options.ics.method}`, content: options.ics.content }] : [],
          unsubscribeUrl,
        },
        target,
      );
    if (channels.includes('email') && recipient.email) {
      const email = recipient.email;
      requests.push({ ...base, address: email, displayRecipient: email, render: (links) => render({ channel: 'email', email }, links.unsubscribeUrl) });
    }
    for (const channel of ['sms', 'whatsapp'] as const) {
      if (!channels.includes(channel) || !recipient.phone) continue;
      const phone = recipient.phone;
      requests.push({ ...base, address: phone, displayRecipient: phone, render: () => render({ channel, phone }, null) });
    }
  }
  return requests;
}

/**
 * Sends everything that each request asks for, each at most once; a transient failure of one does not stop
 * the others. Throws the first retryable error after all were tried, so the queue retries the event (the
 * ones already sent are skipped then by the delivery log).
 */
export async function deliverAll(deps: DeliveryDeps, requests: readonly NotificationRequest[], attempt: DeliveryAttempt): Promise<NotificationRecord[]> {
  const records: NotificationRecord[] = [];
  let retry: unknown = null;
  for (const request of requests) {
    try {
      records.push(await deliverNotification(deps, request, attempt));
    } catch (error) {
      if (!toAppError(error).retryable) throw error;
      retry ??= error;
    }
  }
  if (retry) throw retry;
  return records;
}

/** booking.created / rescheduled / cancelled → a confirmation, update or cancellation (with its .ics) to the invitee and hosts. */
export async function notifyBookingEvent(deps: BookingNotificationDeps, event: DomainEvent<BookingEventType>, attempt: DeliveryAttempt): Promise<NotificationRecord[]> {
  const { booking } = event.data;
  const { title, recipients } = await bookingRecipients(deps, event.tenantId, booking);
  const ics = bookingInvitation(event.type, event.time, booking, title, deps.organizerEmail);
  const trigger = { eventId: event.id, eventType: event.type, time: event.time };
  const data = event.data as { previous?: { start: string }; reason?: string };
  const requests = bookingMessageRequests(event.tenantId, trigger, event.type, booking, title, recipients, {
    ics: { method: event.type === 'booking.cancelled' ? 'CANCEL' : 'REQUEST', content: ics },
    ...(data.previous ? { previous: data.previous } : {}),
    ...(data.reason ? { reason: data.reason } : {}),
  });
  return deliverAll(deps, requests, attempt);
}

/**
 * A reminder's time came (`booking.reminder_due`, fired by the booking's one-time schedule): the reminder
 * message to the people (`to`) and on the channels the booking type names. Email, SMS and WhatsApp reach a
 * person; a booking reminder on `slack` has no person's hook to go to and is not sent (operator channels
 * get operator notices). The send is idempotent on `reminderId`, so a schedule that fires twice sends once;
 * the time shown is the occurrence's own for a recurring booking.
 */
export async function notifyReminder(deps: BookingNotificationDeps, event: DomainEvent<'booking.reminder_due'>, attempt: DeliveryAttempt): Promise<NotificationRecord[]> {
  const { booking, reminderId, channels, to, occurrence } = event.data;
  const shown = occurrence ? { ...booking, start: occurrence.start, end: occurrence.end } : booking;
  const { title, recipients } = await bookingRecipients(deps, event.tenantId, shown);
  const chosen = recipients.filter((recipient) => to === 'all' || (to === 'invitee' ? recipient.kind === 'invitee' : recipient.kind === 'host'));
  const personal = channels.filter((channel): channel is 'email' | 'sms' | 'whatsapp' => channel !== 'slack');
  if (personal.length === 0 || chosen.length === 0) return [];
  const trigger = { eventId: reminderId, eventType: event.type, time: event.time };
  return deliverAll(deps, bookingMessageRequests(event.tenantId, trigger, 'booking.reminder', shown, title, chosen, { channels: personal }), attempt);
}
