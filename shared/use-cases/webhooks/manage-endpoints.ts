import { AppError, notFound } from '../../domain/app-error.ts';
import { newId } from '../../domain/ids.ts';
import type { WebhookEndpoint } from '../../domain/webhook-endpoint.ts';
import type { Resolver } from '../../net/outbound-url.ts';
import type { Clock } from '../../ports/clock.ts';
import type { WebhookEndpointPatch, WebhookEndpointStore } from '../../ports/webhook-endpoint-store.ts';
import { newWebhookSecret } from '../../domain/webhook-signature.ts';
import { assertWebhookUrl } from '../../net/webhook-url-policy.ts';
import { toEndpointView, type WebhookEndpointView } from './endpoint-view.ts';
import { checkedEventTypes } from './event-type-filters.ts';
import { MAX_ENDPOINTS_PER_TENANT, type WebhookSettings } from './webhook-settings.ts';

export interface EndpointAdminDeps {
  endpoints: WebhookEndpointStore;
  clock: Clock;
  settings: Pick<WebhookSettings, 'urlPolicy' | 'secretOverlapMs'>;
  /** DNS for the URL check (tests inject one). */
  resolver?: Resolver;
}

export interface CreateEndpointInput {
  tenantId: string;
  url: string;
  eventTypes: string[];
  description?: string | null | undefined;
}

export type CreatedEndpoint = WebhookEndpointView & { secret: string };

async function checkedUrl(deps: EndpointAdminDeps, url: string): Promise<string> {
  return (await assertWebhookUrl(url, deps.settings.urlPolicy, 'body.url', deps.resolver)).href;
}

/** Registers an endpoint and returns it with its signing secret (the only time it is shown, with rotation). */
export async function createWebhookEndpoint(deps: EndpointAdminDeps, input: CreateEndpointInput): Promise<CreatedEndpoint> {
  const eventTypes = checkedEventTypes(input.eventTypes, 'body.eventTypes');
  const url = await checkedUrl(deps, input.url);
  const existing = await deps.endpoints.listAll(input.tenantId);
  if (existing.length >= MAX_ENDPOINTS_PER_TENANT) {
    throw new AppError('resource.conflict', `A tenant may have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
  }
  const now = deps.clock.now();
  const endpoint: WebhookEndpoint = {
    tenantId: input.tenantId,
    id: newId('whe', now.getTime()),
    url,
    eventTypes,
    description: input.description ?? null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  const secret = newWebhookSecret();
  await deps.endpoints.create(endpoint, secret);
  return { ...toEndpointView(endpoint), secret };
}

export async function getWebhookEndpoint(deps: Pick<EndpointAdminDeps, 'endpoints'>, tenantId: string, endpointId: string): Promise<WebhookEndpointView> {
  const endpoint = await deps.endpoints.get(tenantId, endpointId);
  if (!endpoint) throw notFound('Webhook endpoint');
  return toEndpointView(endpoint);
}

export async function listWebhookEndpoints(
  deps: Pick<EndpointAdminDeps, 'endpoints'>,
  input: { tenantId: string; cursor?: string | undefined; limit: number },
): Promise<{ items: WebhookEndpointView[]; nextCursor: string | null }> {
  const page = await deps.endpoints.list(input.tenantId, { cursor: input.cursor ?? null, limit: input.limit });
  return { items: page.items.map(toEndpointView), nextCursor: page.cursor };
}

export interface UpdateEndpointInput {
  url?: string | undefined;
  eventTypes?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/**
 * Changes an endpoint. A new URL is checked like at registration. Enabling a disabled endpoint clears its
 * disabled reason and failing streak (its failed deliveries can then be recovered); disabling one by hand
 * records `manual`. Conditional on the version read, so a concurrent edit answers 409 instead of being lost.
 */
export async function updateWebhookEndpoint(deps: EndpointAdminDeps, tenantId: string, endpointId: string, input: UpdateEndpointInput): Promise<WebhookEndpointView> {
  const endpoint = await deps.endpoints.get(tenantId, endpointId);
  if (!endpoint) throw notFound('Webhook endpoint');
  const patch: WebhookEndpointPatch = { updatedAt: deps.clock.now().toISOString() };
  if (input.url !== undefined) patch.url = await checkedUrl(deps, input.url);
  if (input.eventTypes !== undefined) patch.eventTypes = checkedEventTypes(input.eventTypes, 'body.eventTypes');
  if (input.description !== undefined) patch.description = input.description;
  if (input.enabled === true && !endpoint.enabled) Object.assign(patch, { enabled: true, disabledReason: null, failingSince: null });
  if (input.enabled === false && endpoint.enabled) Object.assign(patch, { enabled: false, disabledReason: 'manual' });
  return toEndpointView(await deps.endpoints.update(tenantId, endpointId, endpoint.version, patch));
}

/**
 * Deletes an endpoint. Its queued deliveries end unsent when they come up; its delivery log stays readable
 * by no one and expires with its 90-day TTL.
 */
export async function deleteWebhookEndpoint(deps: Pick<EndpointAdminDeps, 'endpoints'>, tenantId: string, endpointId: string): Promise<void> {
  if (!(await deps.endpoints.delete(tenantId, endpointId))) throw notFound('Webhook endpoint');
}

/** A new signing secret; the previous one stays valid for the overlap (both signatures are sent meanwhile). */
export async function rotateWebhookSecret(
  deps: EndpointAdminDeps,
  tenantId: string,
  endpointId: string,
): Promise<{ secret: string; previousSecretValidUntil: string }> {
  if (!(await deps.endpoints.get(tenantId, endpointId))) throw notFound('Webhook endpoint');
  const now = deps.clock.now();
  const previousValidUntil = new Date(now.getTime() + deps.settings.secretOverlapMs);
  const secret = newWebhookSecret();
  await deps.endpoints.rotateSecret(tenantId, endpointId, secret, now, previousValidUntil);
  return { secret, previousSecretValidUntil: previousValidUntil.toISOString() };
}
