import type { NotificationChannel } from '../domain/notification-channel.ts';
import type { Page, PageRequest } from './page.ts';

export type NotificationChannelPatch = Partial<Pick<NotificationChannel, 'target' | 'eventTypes' | 'status' | 'brokenReason'>> & { updatedAt: string };

/**
 * Operator notification channels, tenant-scoped. `secret` is the Slack webhook URL (sealed at rest); the
 * channel's own `target.webhookUrl` holds only its masked form.
 *
 * @example
 *   const { channel, secret } = (await channels.getWithSecret(tenantId, id))!;  // secret: the hook URL
 */
export interface NotificationChannelStore {
  create(channel: NotificationChannel, secret: string | null): Promise<void>;
  get(tenantId: string, channelId: string): Promise<NotificationChannel | null>;
  getWithSecret(tenantId: string, channelId: string): Promise<{ channel: NotificationChannel; secret: string | null } | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<NotificationChannel>>;
  /** Every channel of the tenant (operator notices go to each that subscribes). */
  listAll(tenantId: string): Promise<NotificationChannel[]>;
  /** Conditional on `expectedVersion`; `secret` replaces the sealed one when given. */
  update(tenantId: string, channelId: string, expectedVersion: number, patch: NotificationChannelPatch, secret?: string | null): Promise<NotificationChannel>;
  /** Marks the channel broken whatever its version (a worker's finding must not lose to a user's edit). */
  markBroken(tenantId: string, channelId: string, reason: string, at: Date): Promise<void>;
  delete(tenantId: string, channelId: string): Promise<boolean>;
}
