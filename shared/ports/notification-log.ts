import type { NotificationChannelName, NotificationRecord, NotificationStatus } from '../domain/notification.ts';
import type { Page } from './page.ts';

export type NotificationRecordPatch = Partial<Pick<NotificationRecord, 'status' | 'subject' | 'providerMessageId' | 'attempts' | 'error'>> & { updatedAt: string };

export interface NotificationListRequest {
  bookingId?: string | undefined;
  status?: NotificationStatus | undefined;
  cursor?: string | null | undefined;
  limit: number;
}

/**
 * The delivery log, tenant-scoped, newest first. `begin` is the idempotency point of every send: the
 * first call for an id records it `queued` and returns null; a later one (a redelivered event) returns the
 * record as it stands, so the caller sends nothing that was already sent.
 *
 * @example
 *   const existing = await log.begin(record); if (existing && existing.status !== 'queued') return existing;
 */
export interface NotificationLog {
  begin(record: NotificationRecord): Promise<NotificationRecord | null>;
  get(tenantId: string, notificationId: string): Promise<NotificationRecord | null>;
  update(tenantId: string, notificationId: string, patch: NotificationRecordPatch): Promise<NotificationRecord>;
  list(tenantId: string, request: NotificationListRequest): Promise<Page<NotificationRecord>>;
}

/**
 * Who asked to get nothing more on a channel (an unsubscribe link, SMS STOP, the provider's suppression
 * list), and the single-use-free tokens the unsubscribe links carry.
 */
export interface NotificationOptOutStore {
  isOptedOut(tenantId: string, channel: NotificationChannelName, recipient: string): Promise<boolean>;
  optOut(tenantId: string, channel: NotificationChannelName, recipient: string, source: 'link' | 'provider', at: Date): Promise<void>;
  /** Remembers `token` as the unsubscribe link of (tenant, channel, recipient) until `expiresAt`. */
  saveUnsubscribeToken(token: string, target: UnsubscribeTarget, expiresAt: Date): Promise<void>;
  findUnsubscribeToken(token: string, now: Date): Promise<UnsubscribeTarget | null>;
}

export interface UnsubscribeTarget {
  tenantId: string;
  channel: NotificationChannelName;
  recipient: string;
}
