import { AppError, toAppError } from '../../domain/app-error.ts';
import { domainEvent } from '../../domain/domain-events.ts';
import { randomToken } from '../../domain/ids.ts';
import { notificationIdFor, type NotificationRecord, type RecipientKind } from '../../domain/notification.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import { recordIntegrationEvent, type IntegrationLogWriter } from '../../ports/integration-log.ts';
import { silentLog, type Log } from '../../ports/log.ts';
import type { NotificationLog, NotificationOptOutStore } from '../../ports/notification-log.ts';
import type { NotificationSenders, OutboundMessage } from '../../ports/notification-sender.ts';

export interface DeliveryDeps {
  log: NotificationLog;
  optOuts: NotificationOptOutStore;
  senders: NotificationSenders;
  publisher: EventPublisher;
  clock: Clock;
  /** Base of the unsubscribe links (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  logger?: Log;
  /** The operators' integration log (notification.sent / notification.failed entries); optional. */
  integrationLog?: IntegrationLogWriter | undefined;
}

/** What caused a notification: its id is the idempotency key (with channel and recipient). */
export interface NotificationTrigger {
  eventId: string;
  eventType: string;
  time: string;
}

/** Links the sender adds to a message as it is rendered (only email has one today). */
export interface MessageLinks {
  unsubscribeUrl: string | null;
}

/**
 * One notification to send: the use-case every producer calls (booking confirmations, operator notices,
 * reminders). `render` is called once per attempt with the links that belong in the message.
 */
export interface NotificationRequest {
  tenantId: string;
  trigger: NotificationTrigger;
  recipientKind: RecipientKind;
  /** Who it is for, as opt-outs and the idempotency key see it: an email, an E.164 phone, an operator channel id (Slack). */
  address: string;
  /** As the delivery log shows it (a Slack hook masked). */
  displayRecipient: string;
  channelId: string | null;
  bookingId: string | null;
  /** The template's name, for the log (`booking.created`, `booking.reminder`, `operator.connection.disabled`…). */
  template: string;
  render(links: MessageLinks): OutboundMessage;
}

export interface DeliveryAttempt {
  /** 1 for the first try (the queue's receive count). */
  attempt: number;
  /** No retry follows: a transient failure now is recorded as failed. */
  final: boolean;
}

/** How long an unsubscribe link works. */
export const UNSUBSCRIBE_LINK_TTL_MS = 365 * 86_400_000;

/** Channels a recipient can opt out of (an operator's Slack channel is changed through the API instead). */
const OPT_OUT_CHANNELS = new Set(['email', 'sms', 'whatsapp']);

function subjectOf(message: OutboundMessage): string | null {
  if (message.channel === 'email') return message.subject;
  if (message.channel === 'slack') return message.text.split('\n')[0]!.slice(0, 200);
  return null;
}

/**
 * Sends one notification exactly once per (trigger, channel, recipient): the delivery log's record is the
 * idempotency point, so a redelivered event or a retried batch sends nothing already sent. Suppressed
 * recipients get nothing. A transient refusal (throttling, 5xx) is thrown back, retryable, for the queue to
 * retry with backoff until `final`; a permanent one (invalid number, unsubscribed, template rejected,
 * target gone) is recorded `failed` and evented as `notification.failed` at once, never retried. A provider
 * that reports the recipient suppressed or opted out (SES suppression list, SMS STOP) also opts them out
 * here, so nothing more is tried.
 */
export async function deliverNotification(deps: DeliveryDeps, request: NotificationRequest, attempt: DeliveryAttempt = { attempt: 1, final: false }): Promise<NotificationRecord> {
  const now = deps.clock.now();
  const channel = request.render({ unsubscribeUrl: null }).channel;
  const record: NotificationRecord = {
    tenantId: request.tenantId,
    id: notificationIdFor(request.trigger, channel, request.address),
    status: 'queued',
    channel,
    recipient: request.displayRecipient,
    recipientKind: request.recipientKind,
    channelId: request.channelId,
    bookingId: request.bookingId,
    triggerEventType: request.trigger.eventType,
    triggerEventId: request.trigger.eventId,
    template: request.template,
    subject: null,
    providerMessageId: null,
    attempts: 0,
    error: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const existing = await deps.log.begin(record);
  if (existing && existing.status !== 'queued') {
    // Announced again with the same event id (consumers dedupe): heals a run that stopped between the log
    // write and the publish.
    if (existing.status === 'sent' || existing.status === 'failed') await publishOutcome(deps, existing);
    return existing;
  }
  const current = existing ?? record;

  if (OPT_OUT_CHANNELS.has(channel) && (await deps.optOuts.isOptedOut(request.tenantId, channel, request.address))) {
    return deps.log.update(request.tenantId, current.id, { status: 'suppressed', updatedAt: deps.clock.now().toISOString() });
  }

  let unsubscribeUrl: string | null = null;
  if (channel === 'email') {
    const token = randomToken(24);
    await deps.optOuts.saveUnsubscribeToken(token, { tenantId: request.tenantId, channel, recipient: request.address }, new Date(now.getTime() + UNSUBSCRIBE_LINK_TTL_MS));
    unsubscribeUrl = `${deps.publicBaseUrl.replace(/\/+$/, '')}/v1/public/unsubscribe?token=${token}`;
  }
  const message = request.render({ unsubscribeUrl });
  const attempts = current.attempts + 1;
  const subject = subjectOf(message);
  try {
    const { providerMessageId } = await (deps.senders[channel] as { send(m: OutboundMessage): Promise<{ providerMessageId: string }> }).send(message);
    const sent = await deps.log.update(request.tenantId, current.id, { status: 'sent', subject, providerMessageId, attempts, error: null, updatedAt: deps.clock.now().toISOString() });
    await publishOutcome(deps, sent);
    return sent;
  } catch (thrown) {
    const error = toAppError(thrown);
    const failure = { code: error.code, message: error.message.slice(0, 500) };
    if (error.retryable && !attempt.final) {
      await deps.log.update(request.tenantId, current.id, { attempts, error: failure, updatedAt: deps.clock.now().toISOString() });
      deps.logger?.warn('notification failed, will retry', { notificationId: current.id, channel, code: error.code, attempt: attempt.attempt });
      throw error;
    }
    if (error.code === 'notify.suppressed' && OPT_OUT_CHANNELS.has(channel)) {
      await deps.optOuts.optOut(request.tenantId, channel, request.address, 'provider', deps.clock.now());
    }
    const failed = await deps.log.update(request.tenantId, current.id, { status: 'failed', subject, attempts, error: failure, updatedAt: deps.clock.now().toISOString() });
    deps.logger?.warn('notification failed for good', { notificationId: current.id, channel, code: error.code, attempts });
    await publishOutcome(deps, failed);
    return failed;
  }
}

async function publishOutcome(deps: DeliveryDeps, record: NotificationRecord): Promise<void> {
  if (record.status !== 'sent' && record.status !== 'failed') throw new AppError('internal.unexpected', `no event for a ${record.status} notification`, { retryable: false });
  const type = record.status === 'sent' ? 'notification.sent' : 'notification.failed';
  await recordIntegrationEvent(
    { integrationLog: deps.integrationLog, log: deps.logger ?? silentLog },
    {
      tenantId: record.tenantId,
      type,
      success: record.status === 'sent',
      summary: `${record.channel} ${record.status === 'sent' ? 'sent' : 'failed'} (${record.template ?? record.triggerEventType})`,
      bookingId: record.bookingId,
      correlationId: record.triggerEventId,
      resourceId: record.id,
      error: record.error ? { code: record.error.code, message: record.error.message, retryable: false } : null,
      details: { channel: record.channel, recipientKind: record.recipientKind, attempts: record.attempts },
      at: new Date(record.updatedAt),
    },
  );
  await deps.publisher.publish([
    domainEvent(
      type,
      record.tenantId,
      {
        notificationId: record.id,
        channel: record.channel,
        recipient: record.recipient,
        recipientKind: record.recipientKind,
        bookingId: record.bookingId,
        triggerEventType: record.triggerEventType,
        triggerEventId: record.triggerEventId,
        providerMessageId: record.providerMessageId,
        error: record.error,
      },
      { idempotencyParts: [record.id, record.status], time: new Date(record.updatedAt) },
    ),
  ]);
}
