import { randomUUID } from 'node:crypto';
import { GraphHttpError } from './graph-error.ts';
import { formatTimestamp } from './graph-time.ts';
import type { ChangeType, MailboxStore, StoreChange } from './mailbox-store.ts';
import type { SimUser } from './model.ts';
import { etagOf } from './event-render.ts';
import type { Notifier } from './notifier.ts';

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface StoredSubscription {
  id: string;
  userId: string;
  calendarId: string;
  resource: string;
  changeTypes: ChangeType[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationMs: number;
  applicationId: string;
}

export interface SubscriptionOptions {
  /** Outlook event subscriptions live at most 4,230 minutes (item 32). */
  maxLifetimeMinutes: number;
  maxPerMailbox: number;
  validationTimeoutMs: number;
  requireHttps: boolean;
  now: () => Date;
}

const CHANGE_TYPES: ChangeType[] = ['created', 'updated', 'deleted'];
const RESOURCE_PATTERN = /^\/?(me|users\/([^/]+))\/(events|calendar\/events|calendars\/([^/]+)\/events)$/i;

function invalid(message: string, code = 'InvalidRequest'): GraphHttpError {
  return new GraphHttpError(400, code, message);
}

/**
 * Change-notification subscriptions on a mailbox's events (items 30–35): creation runs the validation
 * handshake against the notification URL (and the lifecycle URL) before answering 201, lifetimes are capped,
 * and every store change produces one notification per matching live subscription.
 */
export class SubscriptionService {
  private readonly subscriptions = new Map<string, StoredSubscription>();
  private readonly store: MailboxStore;
  private readonly notifier: Notifier;
  options: SubscriptionOptions;

  constructor(store: MailboxStore, notifier: Notifier, options: SubscriptionOptions) {
    this.store = store;
    this.notifier = notifier;
    this.options = options;
    store.onChange((change) => this.onChange(change));
  }

  private get nowMs(): number {
    return this.options.now().getTime();
  }

  /** Live subscriptions (expired ones are gone, as in Graph). */
  list(userId?: string): StoredSubscription[] {
    const now = this.nowMs;
    for (const [id, subscription] of this.subscriptions) if (subscription.expirationMs <= now) this.subscriptions.delete(id);
    return [...this.subscriptions.values()].filter((s) => userId === undefined || s.userId === userId);
  }

  get(id: string, userId?: string): StoredSubscription {
    const subscription = this.list(userId).find((s) => s.id === id);
    if (!subscription) throw new GraphHttpError(404, 'ResourceNotFound', `The object was not found. Subscription '${id}' does not exist or has expired.`);
    return subscription;
  }

  async create(user: SimUser, clientId: string, body: unknown): Promise<StoredSubscription> {
    if (typeof body !== 'object' || body === null) throw invalid('The subscription payload must be a JSON object.');
    const input = body as Record<string, unknown>;
    const changeTypes = this.parseChangeTypes(input.changeType);
    const notificationUrl = this.parseUrl(input.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl = input.lifecycleNotificationUrl === undefined || input.lifecycleNotificationUrl === null ? null : this.parseUrl(input.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const { resource, calendarId } = this.parseResource(input.resource, user);
    const expirationMs = this.parseExpiration(input.expirationDateTime);
    if (input.clientState !== undefined && input.clientState !== null && (typeof input.clientState !== 'string' || input.clientState.length > 128)) {
      throw invalid('clientState must be a string of at most 128 characters.');
    }
    if (input.includeResourceData === true) throw invalid('includeResourceData requires an encryptionCertificate; the simulator supports only basic notifications.');
    if (this.list(user.id).length >= this.options.maxPerMailbox) {
      throw new GraphHttpError(403, 'ExtensionError', `Operation: Create; Exception: [Status Code: Forbidden; Reason: The mailbox has reached the maximum of ${this.options.maxPerMailbox} subscriptions.]`);
    }
    const id = randomUUID();
    for (const url of [notificationUrl, lifecycleNotificationUrl]) {
      if (url === null) continue;
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
      const result = await this.notifier.validate(url, [id], token, this.options.validationTimeoutMs);
      if (!result.ok) throw new GraphHttpError(400, 'ValidationError', result.reason);
    }
    const subscription: StoredSubscription = {
      id,
      userId: user.id,
      calendarId,
      resource,
      changeTypes,
      notificationUrl,
      lifecycleNotificationUrl,
      clientState: (input.clientState as string | undefined) ?? null,
      expirationMs,
      applicationId: clientId,
    };
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  renew(id: string, userId: string, body: unknown): StoredSubscription {
    const subscription = this.get(id, userId);
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (input.expirationDateTime === undefined) throw invalid('expirationDateTime is required.');
    subscription.expirationMs = this.parseExpiration(input.expirationDateTime);
    return subscription;
  }

  delete(id: string, userId: string): void {
    this.get(id, userId);
    this.subscriptions.delete(id);
  }

  /** Queues a lifecycle notification; `subscriptionRemoved` also deletes the subscription. */
  emitLifecycle(id: string, lifecycleEvent: LifecycleEvent): void {
    const subscription = this.get(id);
    if (!subscription.lifecycleNotificationUrl) throw new Error(`subscription ${id} has no lifecycleNotificationUrl`);
    this.notifier.enqueue({
      kind: 'lifecycle',
      url: subscription.lifecycleNotificationUrl,
      subscriptionId: id,
      payload: {
        subscriptionId: id,
        subscriptionExpirationDateTime: formatTimestamp(subscription.expirationMs),
        tenantId: this.store.tenantId,
        clientState: subscription.clientState,
        lifecycleEvent,
      },
    });
    if (lifecycleEvent === 'subscriptionRemoved') this.subscriptions.delete(id);
  }

  toJson(subscription: StoredSubscription): Record<string, unknown> {
    return {
      id: subscription.id,
      resource: subscription.resource,
      applicationId: subscription.applicationId,
      changeType: subscription.changeTypes.join(','),
      clientState: subscription.clientState,
      notificationUrl: subscription.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
      expirationDateTime: formatTimestamp(subscription.expirationMs),
      creatorId: subscription.userId,
      includeResourceData: null,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  private onChange(change: StoreChange): void {
    const { entry, changeType, user } = change;
    const version = entry.after ?? entry.before!;
    const resource = `Users/${user.id}/Events/${entry.eventId}`;
    for (const subscription of this.list(user.id)) {
      if (subscription.calendarId !== entry.calendarId || !subscription.changeTypes.includes(changeType)) continue;
      this.notifier.enqueue({
        kind: 'notification',
        url: subscription.notificationUrl,
        subscriptionId: subscription.id,
        payload: {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: formatTimestamp(subscription.expirationMs),
          changeType,
          resource,
          resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': resource, '@odata.etag': etagOf(version.changeKey), id: entry.eventId },
          clientState: subscription.clientState,
          tenantId: this.store.tenantId,
        },
      });
    }
  }

  private parseChangeTypes(value: unknown): ChangeType[] {
    if (typeof value !== 'string' || !value.trim()) throw invalid('changeType is required (created, updated, deleted).');
    const types = value.split(',').map((t) => t.trim());
    const unknown = types.find((t) => !CHANGE_TYPES.includes(t as ChangeType));
    if (unknown !== undefined) throw invalid(`Invalid changeType '${unknown}'.`);
    return [...new Set(types as ChangeType[])];
  }

  private parseUrl(value: unknown, name: string): string {
    if (typeof value !== 'string') throw invalid(`${name} is required.`);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw invalid(`${name} must be an absolute URL.`);
    }
    if (url.protocol !== 'https:' && (this.options.requireHttps || url.protocol !== 'http:')) throw invalid(`The ${name} must be HTTPS.`);
    return value;
  }

  private parseResource(value: unknown, user: SimUser): { resource: string; calendarId: string } {
    const match = typeof value === 'string' ? RESOURCE_PATTERN.exec(value.trim()) : null;
    if (!match) throw invalid(`Resource '${String(value)}' is not supported; use me/events or me/calendars/{id}/events.`, 'ExtensionError');
    const [, , userRef, , calendarRef] = match;
    if (userRef && this.store.findUser(decodeURIComponent(userRef))?.id !== user.id) throw new GraphHttpError(403, 'ExtensionError', 'Access is denied to the requested resource.');
    if (!calendarRef) return { resource: value as string, calendarId: user.defaultCalendarId };
    const calendar = this.store.calendar(decodeURIComponent(calendarRef));
    if (!calendar || calendar.userId !== user.id) throw new GraphHttpError(404, 'ExtensionError', `The calendar in resource '${String(value)}' was not found.`);
    return { resource: value as string, calendarId: calendar.id };
  }

  private parseExpiration(value: unknown): number {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw invalid('expirationDateTime must be an ISO 8601 date-time.');
    const now = this.nowMs;
    if (ms <= now) throw invalid('Subscription expiration must be in the future.');
    if (ms > now + this.options.maxLifetimeMinutes * 60_000) throw invalid(`Subscription expiration can only be ${this.options.maxLifetimeMinutes} minutes in the future.`);
    return ms;
  }
}
