import { AppError, notFound } from '../../../shared/domain/app-error.ts';
import type { DomainEvent } from '../../../shared/domain/domain-events.ts';
import type { WebhookEndpoint } from '../../../shared/domain/webhook-endpoint.ts';
import type { Clock } from '../../../shared/ports/clock.ts';
import type { EventPublisher } from '../../../shared/ports/event-publisher.ts';
import type { JobQueue, QueueMessage } from '../../../shared/ports/job-queue.ts';
import type { Page, PageRequest } from '../../../shared/ports/page.ts';
import type { DeliveryListRequest, WebhookDeliveryPatch, WebhookDeliveryStore } from '../../../shared/ports/webhook-delivery-store.ts';
import type { EndpointWithSecrets, WebhookEndpointPatch, WebhookEndpointStore } from '../../../shared/ports/webhook-endpoint-store.ts';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../../../shared/ports/webhook-sender.ts';
import type { DeliveryStatus, WebhookDelivery } from '../../../shared/domain/webhook-delivery.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** The endpoint store's contract in memory (versions, conditional writes, secrets with validity). */
export class InMemoryEndpoints implements WebhookEndpointStore {
  readonly items = new Map<string, { endpoint: WebhookEndpoint; secrets: { secret: string; validUntil: string | null }[] }>();
  readonly #key = (tenantId: string, id: string) => `${tenantId}/${id}`;

  async create(endpoint: WebhookEndpoint, secret: string): Promise<WebhookEndpoint> {
    this.items.set(this.#key(endpoint.tenantId, endpoint.id), { endpoint: clone(endpoint), secrets: [{ secret, validUntil: null }] });
    return endpoint;
  }
  async get(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    const item = this.items.get(this.#key(tenantId, id));
    return item ? clone(item.endpoint) : null;
  }
  async getWithSecrets(tenantId: string, id: string, now: Date): Promise<EndpointWithSecrets | null> {
    const item = this.items.get(this.#key(tenantId, id));
    if (!item) return null;
    const secrets = item.secrets.filter((entry) => entry.validUntil === null || Date.parse(entry.validUntil) > now.getTime()).map((entry) => entry.secret);
    return { endpoint: clone(item.endpoint), secrets };
  }
  async list(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    return { items: (await this.listAll(tenantId)).slice(0, page.limit), cursor: null };
  }
  async listAll(tenantId: string): Promise<WebhookEndpoint[]> {
    return [...this.items.values()].filter((item) => item.endpoint.tenantId === tenantId).map((item) => clone(item.endpoint));
  }
  async update(tenantId: string, id: string, expectedVersion: number, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    const item = this.items.get(this.#key(tenantId, id));
    if (!item) throw notFound('Webhook endpoint');
    if (item.endpoint.version !== expectedVersion) throw new AppError('storage.conflict', 'conflict');
    item.endpoint = { ...item.endpoint, ...patch, version: expectedVersion + 1 };
    return clone(item.endpoint);
  }
  async delete(tenantId: string, id: string): Promise<boolean> {
    return this.items.delete(this.#key(tenantId, id));
  }
  async rotateSecret(tenantId: string, id: string, secret: string, now: Date, previousValidUntil: Date): Promise<void> {
    const item = this.items.get(this.#key(tenantId, id));
    if (!item) throw notFound('Webhook endpoint');
    const valid = item.secrets.filter((entry) => entry.validUntil === null || Date.parse(entry.validUntil) > now.getTime());
    item.secrets = [{ secret, validUntil: null }, ...valid.map((entry) => ({ secret: entry.secret, validUntil: entry.validUntil ?? previousValidUntil.toISOString() }))];
  }
  async markFailing(tenantId: string, id: string, since: string): Promise<void> {
    const item = this.items.get(this.#key(tenantId, id));
    if (item && item.endpoint.failingSince === null) item.endpoint.failingSince = since;
  }
  async clearFailing(tenantId: string, id: string): Promise<void> {
    const item = this.items.get(this.#key(tenantId, id));
    if (item) item.endpoint.failingSince = null;
  }
  async disable(tenantId: string, id: string, reason: 'gone' | 'failing', now: Date): Promise<WebhookEndpoint | null> {
    const item = this.items.get(this.#key(tenantId, id));
    if (!item || !item.endpoint.enabled) return null;
    item.endpoint = { ...item.endpoint, enabled: false, disabledReason: reason, updatedAt: now.toISOString(), version: item.endpoint.version + 1 };
    return clone(item.endpoint);
  }
}

/** The delivery store's contract in memory. */
export class InMemoryDeliveries implements WebhookDeliveryStore {
  readonly items = new Map<string, WebhookDelivery>();
  /** Makes the next update fail as if another writer got there first. */
  conflictNextUpdate = false;
  readonly #key = (tenantId: string, endpointId: string, id: string) => `${tenantId}/${endpointId}/${id}`;

  async create(delivery: WebhookDelivery): Promise<{ created: boolean; delivery: WebhookDelivery }> {
    const key = this.#key(delivery.tenantId, delivery.endpointId, delivery.id);
    const existing = this.items.get(key);
    if (existing) return { created: false, delivery: clone(existing) };
    this.items.set(key, clone(delivery));
    return { created: true, delivery: clone(delivery) };
  }
  async get(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | null> {
    const item = this.items.get(this.#key(tenantId, endpointId, id));
    return item ? clone(item) : null;
  }
  async update(tenantId: string, endpointId: string, id: string, expectedVersion: number, patch: WebhookDeliveryPatch): Promise<WebhookDelivery> {
    const key = this.#key(tenantId, endpointId, id);
    const item = this.items.get(key);
    if (!item) throw notFound('Webhook delivery');
    if (this.conflictNextUpdate || item.version !== expectedVersion) {
      this.conflictNextUpdate = false;
      throw new AppError('storage.conflict', 'conflict');
    }
    const next = { ...item, ...clone(patch), version: expectedVersion + 1 };
    this.items.set(key, next);
    return clone(next);
  }
  async markQueued(tenantId: string, endpointId: string, id: string, round: number): Promise<void> {
    const item = this.items.get(this.#key(tenantId, endpointId, id));
    if (item && item.queuedRound < round) item.queuedRound = round;
  }
  async list(tenantId: string, endpointId: string, request: DeliveryListRequest): Promise<Page<WebhookDelivery>> {
    const items = this.#of(tenantId, endpointId)
      .filter((d) => !request.status || d.status === request.status)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return { items: items.slice(0, request.limit), cursor: null };
  }
  async listSince(tenantId: string, endpointId: string, since: Date, status: DeliveryStatus | readonly DeliveryStatus[], request: { limit: number }): Promise<Page<WebhookDelivery>> {
    const statuses: readonly DeliveryStatus[] = typeof status === 'string' ? [status] : status;
    const items = this.#of(tenantId, endpointId)
      .filter((d) => statuses.includes(d.status) && Date.parse(d.createdAt) >= since.getTime())
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    return { items: items.slice(0, request.limit), cursor: items.length > request.limit ? 'more' : null };
  }
  #of(tenantId: string, endpointId: string): WebhookDelivery[] {
    return [...this.items.values()].filter((d) => d.tenantId === tenantId && d.endpointId === endpointId).map(clone);
  }
}

/** A sender that answers from a script and records each request. */
export class ScriptedSender implements WebhookSender {
  readonly requests: WebhookRequest[] = [];
  readonly #script: Partial<WebhookResponse>[] = [];
  fallback: Partial<WebhookResponse> = { statusCode: 200 };

  answer(...responses: Partial<WebhookResponse>[]): this {
    this.#script.push(...responses);
    return this;
  }
  async send(request: WebhookRequest): Promise<WebhookResponse> {
    this.requests.push(request);
    const scripted = this.#script.shift() ?? this.fallback;
    const statusCode = scripted.statusCode ?? null;
    const errorClass =
      scripted.errorClass !== undefined
        ? scripted.errorClass
        : statusCode === null
          ? 'connection_refused'
          : statusCode >= 200 && statusCode < 300
            ? null
            : statusCode >= 500
              ? 'http_5xx'
              : statusCode >= 400
                ? 'http_4xx'
                : 'redirect';
    return { latencyMs: 3, error: null, responseBody: null, retryAfter: null, ...scripted, statusCode, errorClass };
  }
}

export class RecordingQueue<T> implements JobQueue<T> {
  readonly sent: QueueMessage<T>[] = [];
  async send(messages: readonly QueueMessage<T>[]): Promise<void> {
    this.sent.push(...messages);
  }
  async changeVisibility(): Promise<void> {}
}

export class CollectingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

export class ManualClock implements Clock {
  current: number;
  constructor(iso = '2026-11-23T12:00:00.000Z') {
    this.current = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export function testEndpoint(overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    tenantId: 'tenant-a',
    id: 'whe_01JB3Y6M2QH9N7S5V4T0W8X1ZA',
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    description: null,
    enabled: true,
    disabledReason: null,
    failingSince: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
