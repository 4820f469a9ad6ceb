import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { domainEvent } from '../../../shared/domain/domain-events.ts';
import type { WebhookEndpoint } from '../../../shared/domain/webhook-endpoint.ts';
import { DynamoWebhookDeliveryStore } from '../../../shared/storage/dynamo-webhook-delivery-store.ts';
import { DynamoWebhookEndpointStore } from '../../../shared/storage/dynamo-webhook-endpoint-store.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';
import { keys } from '../../../shared/storage/keys.ts';
import { newDelivery } from '../../../shared/use-cases/webhooks/fan-out-event.ts';
import { webhookPayload } from '../../../shared/domain/webhook-routing.ts';
import { newWebhookSecret } from '../../../shared/domain/webhook-signature.ts';
import type { WebhookDelivery } from '../../../shared/domain/webhook-delivery.ts';
import { createTestTable, type TestTable } from '../../support/dynamo.ts';

let table: TestTable;
let endpoints: DynamoWebhookEndpointStore;
let deliveries: DynamoWebhookDeliveryStore;
let counter = 0;

beforeAll(async () => {
  table = await createTestTable('webhook-stores');
  const cipher = new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key: randomBytes(32) }) });
  endpoints = new DynamoWebhookEndpointStore({ doc: table.doc, tableName: table.tableName, cipher });
  deliveries = new DynamoWebhookDeliveryStore({ doc: table.doc, tableName: table.tableName });
});

function endpoint(tenantId: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  counter += 1;
  return {
    tenantId,
    id: `whe_01JB3Y6M2QH9N7S5V4T0W8X${String(counter).padStart(3, '0')}`,
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

const NOW = new Date('2026-11-23T12:00:00.000Z');

describe('DynamoWebhookEndpointStore', () => {
  it('stores the secret sealed: no plaintext in the table, opened only by getWithSecrets', async () => {
    const secret = newWebhookSecret();
    const stored = await endpoints.create(endpoint('t-seal'), secret);

    const raw = await table.doc.send(new ScanCommand({ TableName: table.tableName }));
    const found = await endpoints.getWithSecrets('t-seal', stored.id, NOW);

    expect(JSON.stringify(raw.Items)).not.toContain(secret.slice(6, 30));
    expect(found).toEqual({ endpoint: stored, secrets: [secret] });
    expect(await endpoints.get('t-seal', stored.id)).toEqual(stored);
    expect(await endpoints.get('someone-else', stored.id)).toBeNull();
  });

  it('binds the sealed secret to its endpoint: copied to another endpoint it does not open', async () => {
    const a = await endpoints.create(endpoint('t-aad'), newWebhookSecret());
    const b = await endpoints.create(endpoint('t-aad'), newWebhookSecret());
    const sealed = (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.webhookEndpoint('t-aad', a.id) }))).Item!.sealedSecrets;
    await table.doc.send(new UpdateCommand({ TableName: table.tableName, Key: keys.webhookEndpoint('t-aad', b.id), UpdateExpression: 'SET sealedSecrets = :s', ExpressionAttributeValues: { ':s': sealed } }));

    await expect(endpoints.getWithSecrets('t-aad', b.id, NOW)).rejects.toThrow();
  });

  it('rotates: both secrets valid during the overlap (newest first), only the new one after it', async () => {
    const first = newWebhookSecret();
    const second = newWebhookSecret();
    const stored = await endpoints.create(endpoint('t-rot'), first);

    await endpoints.rotateSecret('t-rot', stored.id, second, NOW, new Date(NOW.getTime() + 86_400_000));

    expect((await endpoints.getWithSecrets('t-rot', stored.id, NOW))!.secrets).toEqual([second, first]);
    expect((await endpoints.getWithSecrets('t-rot', stored.id, new Date(NOW.getTime() + 86_400_001)))!.secrets).toEqual([second]);
    await expect(endpoints.rotateSecret('t-rot', 'whe_01JB3Y6M2QH9N7S5V4T0W8XZZZ', second, NOW, NOW)).rejects.toMatchObject({ code: 'resource.not_found' });
  });

  it('updates conditionally on the version, and says not_found for a missing endpoint', async () => {
    const stored = await endpoints.create(endpoint('t-upd'), newWebhookSecret());

    const updated = await endpoints.update('t-upd', stored.id, 1, { url: 'https://other.example.com/', updatedAt: NOW.toISOString() });

    expect(updated).toMatchObject({ url: 'https://other.example.com/', version: 2 });
    await expect(endpoints.update('t-upd', stored.id, 1, { description: 'late' })).rejects.toMatchObject({ code: 'storage.conflict' });
    await expect(endpoints.update('t-upd', 'whe_01JB3Y6M2QH9N7S5V4T0W8XZZZ', 1, { description: 'x' })).rejects.toMatchObject({ code: 'resource.not_found' });
  });

  it('tracks a failing streak without touching the version, and disables once', async () => {
    const stored = await endpoints.create(endpoint('t-fail'), newWebhookSecret());

    await endpoints.markFailing('t-fail', stored.id, '2026-11-20T00:00:00.000Z');
    await endpoints.markFailing('t-fail', stored.id, '2026-11-21T00:00:00.000Z');
    const failing = await endpoints.get('t-fail', stored.id);
    await endpoints.clearFailing('t-fail', stored.id);
    const cleared = await endpoints.get('t-fail', stored.id);
    const disabled = await endpoints.disable('t-fail', stored.id, 'gone', NOW);
    const again = await endpoints.disable('t-fail', stored.id, 'failing', NOW);

    expect(failing).toMatchObject({ failingSince: '2026-11-20T00:00:00.000Z', version: 1 });
    expect(cleared).toMatchObject({ failingSince: null, version: 1 });
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'gone', version: 2 });
    expect(again).toBeNull();
  });

  it('lists a tenant\'s endpoints in pages and all of them (without secrets) for fan-out, and deletes', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await endpoints.create(endpoint('t-list'), newWebhookSecret()));
    await endpoints.create(endpoint('t-list-other'), newWebhookSecret());

    const first = await endpoints.list('t-list', { limit: 2 });
    const second = await endpoints.list('t-list', { limit: 2, cursor: first.cursor });
    const third = await endpoints.list('t-list', { limit: 2, cursor: second.cursor });
    const all = await endpoints.listAll('t-list');

    expect([...first.items, ...second.items, ...third.items].map((e) => e.id)).toEqual(created.map((e) => e.id));
    expect(third.cursor).toBeNull();
    expect(all.map((e) => e.id)).toEqual(created.map((e) => e.id));
    expect(await endpoints.delete('t-list', created[0]!.id)).toBe(true);
    expect(await endpoints.delete('t-list', created[0]!.id)).toBe(false);
  });
});

describe('DynamoWebhookDeliveryStore', () => {
  const endpointOf = endpoint('t-dlv');

  function delivery(minute: number, status: WebhookDelivery['status'] = 'pending'): WebhookDelivery {
    const time = new Date(Date.parse('2026-11-20T00:00:00.000Z') + minute * 60_000);
    const event = domainEvent('webhook.test', 't-dlv', { endpointId: endpointOf.id, message: String(minute) }, { time });
    return { ...newDelivery(event, endpointOf, webhookPayload(event), time.toISOString()), status };
  }

  it('creates a delivery once: the second create returns the stored one untouched', async () => {
    const original = delivery(0);

    const first = await deliveries.create(original);
    const second = await deliveries.create({ ...original, payload: '{"changed":true}' });

    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, delivery: original });
  });

  it('updates conditionally, keeps a 90-day TTL from the last change, and marks the queued round only forwards', async () => {
    const original = delivery(1);
    await deliveries.create(original);

    const updated = await deliveries.update('t-dlv', endpointOf.id, original.id, 1, { status: 'succeeded', updatedAt: '2026-11-21T00:00:00.000Z' });
    await deliveries.markQueued('t-dlv', endpointOf.id, original.id, 2);
    await deliveries.markQueued('t-dlv', endpointOf.id, original.id, 1);
    const raw = (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.webhookDelivery('t-dlv', endpointOf.id, original.id) }))).Item!;

    expect(updated).toMatchObject({ status: 'succeeded', version: 2 });
    await expect(deliveries.update('t-dlv', endpointOf.id, original.id, 1, { status: 'failed' })).rejects.toMatchObject({ code: 'storage.conflict' });
    expect(raw.expiresAt).toBe(Date.parse('2026-11-21T00:00:00.000Z') / 1000 + 90 * 86_400);
    expect(raw.queuedRound).toBe(2);
  });

  it('lists newest first in pages, filters by status across pages, and lists failed ones since a time oldest first', async () => {
    const statuses: WebhookDelivery['status'][] = ['failed', 'succeeded', 'failed', 'pending', 'failed', 'succeeded', 'failed'];
    const made = statuses.map((status, i) => delivery(100 + i, status));
    for (const d of made) await deliveries.create(d);
    const mine = (all: WebhookDelivery[]) => all.filter((d) => made.some((m) => m.id === d.id)).map((d) => d.id);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await deliveries.list('t-dlv', endpointOf.id, { limit: 3, cursor });
      pages.push(...page.items.map((d) => d.id));
      cursor = page.cursor;
    } while (cursor);
    const failedPages: string[] = [];
    cursor = null;
    do {
      const page = await deliveries.list('t-dlv', endpointOf.id, { status: 'failed', limit: 2, cursor });
      failedPages.push(...page.items.map((d) => d.id));
      cursor = page.cursor;
    } while (cursor);
    const since = await deliveries.listSince('t-dlv', endpointOf.id, new Date(made[2]!.createdAt), 'failed', { limit: 10 });

    expect(mine(await Promise.all(pages.map((id) => deliveries.get('t-dlv', endpointOf.id, id))) as WebhookDelivery[])).toEqual([...made].reverse().map((d) => d.id));
    expect(failedPages).toEqual([made[6]!, made[4]!, made[2]!, made[0]!].map((d) => d.id));
    expect(since.items.map((d) => d.id)).toEqual([made[2]!, made[4]!, made[6]!].map((d) => d.id));
    expect(since.cursor).toBeNull();
  });

  it('keeps endpoints apart: another endpoint\'s listing and a forged cursor see nothing of this one', async () => {
    const page = await deliveries.list('t-dlv', 'whe_01JB3Y6M2QH9N7S5V4T0W8X999', { limit: 10 });

    expect(page).toEqual({ items: [], cursor: null });
    await expect(deliveries.list('t-dlv', endpointOf.id, { limit: 10, cursor: Buffer.from(JSON.stringify({ sk: 'WHE#x' })).toString('base64url') })).rejects.toMatchObject({
      code: 'input.invalid',
    });
  });
});
