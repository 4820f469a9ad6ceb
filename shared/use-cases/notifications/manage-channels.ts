import { AppError, inputError, notFound } from '../../domain/app-error.ts';
import { newId } from '../../domain/ids.ts';
import { E164, maskWebhookUrl, targetFieldOf, type ChannelKind, type ChannelTarget, type NotificationChannel } from '../../domain/notification-channel.ts';
import type { Resolver } from '../../net/outbound-url.ts';
import type { OutboundPolicy } from '../../net/outbound-url.ts';
import { assertWebhookUrl } from '../../net/webhook-url-policy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { NotificationChannelPatch, NotificationChannelStore } from '../../ports/notification-channel-store.ts';
import { checkedEventTypes } from '../webhooks/event-type-filters.ts';
import { OPERATOR_EVENT_TYPES } from './operator-notices.ts';

export interface ChannelAdminDeps {
  channels: NotificationChannelStore;
  clock: Clock;
  /** The webhook URL policy: https to public addresses (http to loopback only in the local stack). */
  urlPolicy: OutboundPolicy;
  resolver?: Resolver;
}

export const MAX_CHANNELS_PER_TENANT = 50;

export type NotificationChannelView = Omit<NotificationChannel, 'tenantId' | 'version'>;

export function toChannelView(channel: NotificationChannel): NotificationChannelView {
  const { tenantId: _tenant, version: _version, ...view } = channel;
  return view;
}

/** A plain address: no display name, no list, nothing that could end a header line. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function checkEmail(value: string, field: string): string {
  if (/[\r\n\0]/.test(value)) throw inputError(field, `${field} must not contain line breaks (header injection)`);
  if (value.length > 254 || !EMAIL.test(value)) throw inputError(field, `${field} is not a plain email address such as ana@example.com`);
  return value;
}

export function checkPhone(value: string, field: string): string {
  if (!E164.test(value)) throw inputError(field, `${field} must be an E.164 number such as +4915112345678`);
  return value;
}

/** Eventtype filters: known domain events (or prefixes, *) plus the operator notices other features emit. */
function checkedChannelEventTypes(filters: readonly string[]): string[] {
  const known = filters.filter((filter) => !OPERATOR_EVENT_TYPES.includes(filter));
  checkedEventTypes(known, 'body.eventTypes');
  return [...new Set(filters)];
}

/** The stored target and the secret to seal, for `kind`; exactly the one field the kind needs. */
async function checkedTarget(deps: ChannelAdminDeps, kind: ChannelKind, target: ChannelTarget): Promise<{ target: ChannelTarget; secret: string | null }> {
  const field = targetFieldOf(kind);
  for (const name of Object.keys(target) as (keyof ChannelTarget)[]) {
    if (name !== field && target[name] !== undefined) throw inputError(`body.target.${name}`, `a ${kind} channel takes target.${field}, not target.${name}`);
  }
  const value = target[field];
  if (value === undefined) throw inputError(`body.target.${field}`, `a ${kind} channel needs target.${field}`);
  if (field === 'email') return { target: { email: checkEmail(value, 'body.target.email') }, secret: null };
  if (field === 'phone') return { target: { phone: checkPhone(value, 'body.target.phone') }, secret: null };
  const url = (await assertWebhookUrl(value, deps.urlPolicy, 'body.target.webhookUrl', deps.resolver)).href;
  return { target: { webhookUrl: maskWebhookUrl(url) }, secret: url };
}

export interface CreateChannelInput {
  kind: ChannelKind;
  target: ChannelTarget;
  eventTypes: string[];
}

export async function createNotificationChannel(deps: ChannelAdminDeps, tenantId: string, input: CreateChannelInput): Promise<NotificationChannelView> {
  const eventTypes = checkedChannelEventTypes(input.eventTypes);
  const { target, secret } = await checkedTarget(deps, input.kind, input.target);
  if ((await deps.channels.listAll(tenantId)).length >= MAX_CHANNELS_PER_TENANT) {
    throw new AppError('resource.conflict', `A tenant may have at most ${MAX_CHANNELS_PER_TENANT} notification channels`);
  }
  const now = deps.clock.now().toISOString();
  const channel: NotificationChannel = {
    tenantId,
    id: newId('ntc', Date.parse(now)),
    kind: input.kind,
    target,
    eventTypes,
    status: 'active',
    brokenReason: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.channels.create(channel, secret);
  return toChannelView(channel);
}

export async function getNotificationChannel(deps: Pick<ChannelAdminDeps, 'channels'>, tenantId: string, channelId: string): Promise<NotificationChannelView> {
  const channel = await deps.channels.get(tenantId, channelId);
  if (!channel) throw notFound('Notification channel');
  return toChannelView(channel);
}

export async function listNotificationChannels(
  deps: Pick<ChannelAdminDeps, 'channels'>,
  input: { tenantId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: NotificationChannelView[]; nextCursor: string | null }> {
  const page = await deps.channels.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toChannelView), nextCursor: page.cursor };
}

/** A new target repairs a broken channel; the kind never changes (make a new channel for that). */
export async function updateNotificationChannel(
  deps: ChannelAdminDeps,
  tenantId: string,
  channelId: string,
  input: { target?: ChannelTarget | undefined; eventTypes?: string[] | undefined },
): Promise<NotificationChannelView> {
  const current = await deps.channels.get(tenantId, channelId);
  if (!current) throw notFound('Notification channel');
  const patch: NotificationChannelPatch = { updatedAt: deps.clock.now().toISOString() };
  let secret: string | null | undefined;
  if (input.eventTypes) patch.eventTypes = checkedChannelEventTypes(input.eventTypes);
  if (input.target) {
    const checked = await checkedTarget(deps, current.kind, input.target);
    patch.target = checked.target;
    patch.status = 'active';
    patch.brokenReason = null;
    if (checked.secret !== null) secret = checked.secret;
  }
  return toChannelView(await deps.channels.update(tenantId, channelId, current.version, patch, secret));
}

export async function deleteNotificationChannel(deps: Pick<ChannelAdminDeps, 'channels'>, tenantId: string, channelId: string): Promise<void> {
  if (!(await deps.channels.delete(tenantId, channelId))) throw notFound('Notification channel');
}
