import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { notFound } from '../domain/app-error.ts';
import type { Page } from '../ports/page.ts';
import type { DeliveryListRequest, WebhookDeliveryPatch, WebhookDeliveryStore } from '../ports/webhook-delivery-store.ts';
import { DELIVERY_RETENTION_DAYS, WebhookDelivery, type DeliveryStatus } from '../domain/webhook-delivery.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { queryFilteredPage } from './dynamo-query.ts';
import { keys } from './keys.ts';
import { decodePageCursor, validatePageLimit } from './page-cursor.ts';
import { INDEX, TTL_ATTRIBUTE } from './table-schema.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoWebhookDeliveryStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

const DeliveryPatchSchema = z.partial(
  z.pick(WebhookDelivery, {
    status: true,
    failure: true,
    round: true,
    roundAttempts: true,
    attemptCount: true,
    attempts: true,
    nextAttemptAt: true,
    lastStatusCode: true,
    lastErrorClass: true,
    finalizedRound: true,
    updatedAt: true,
  }),
);


function expiresAt(updatedAt: string): number {
  return toEpochSeconds(Date.parse(updatedAt)) + DELIVERY_RETENTION_DAYS * 86_400;
}

/**
 * The delivery log. Each delivery is one item in its endpoint's partition (`T#<t>#WHE#<endpoint>` /
 * `DLV#<id>`), attempts inside it; gsi1 (`…#DLVS`, `DLV#<createdAt>#<id>`) lists them by time. Every write
 * pushes the TTL to 90 days after the change. List cursors carry the gsi1 sort key only; the partition is
 * always re-derived from the caller's tenant and endpoint.
 */
export class DynamoWebhookDeliveryStore implements WebhookDeliveryStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoWebhookDeliveryStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async create(delivery: WebhookDelivery): Promise<{ created: boolean; delivery: WebhookDelivery }> {
    const valid = validForWrite(WebhookDelivery, delivery, 'webhook delivery');
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...keys.webhookDelivery(valid.tenantId, valid.endpointId, valid.id),
            [INDEX.byParent.partitionKey]: keys.webhookDeliveriesByTime(valid.tenantId, valid.endpointId),
            [INDEX.byParent.sortKey]: keys.webhookDeliveryTimeSortKey(valid.createdAt, valid.id),
            [ENTITY_ATTRIBUTE]: 'webhook-delivery',
            [TTL_ATTRIBUTE]: expiresAt(valid.updatedAt),
            ...valid,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, delivery: valid };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'WebhookDeliveryStore.create');
    }
    const existing = await this.get(valid.tenantId, valid.endpointId, valid.id);
    if (!existing) throw notFound('Webhook delivery'); // expired between the put and the read
    return { created: false, delivery: existing };
  }

  async get(tenantId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    const output = await dynamoCall('WebhookDeliveryStore.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.webhookDelivery(tenantId, endpointId, deliveryId), ConsistentRead: true })),
    );
    return output.Item ? toDelivery(output.Item) : null;
  }

  async update(tenantId: string, endpointId: string, deliveryId: string, expectedVersion: number, patch: WebhookDeliveryPatch): Promise<WebhookDelivery> {
    const valid = validPatch(DeliveryPatchSchema, patch, 'webhook delivery patch');
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(valid)) {
      if (value !== undefined) update.set(field, value);
    }
    if (valid.updatedAt) update.set(TTL_ATTRIBUTE, expiresAt(valid.updatedAt));
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(
        new UpdateCommand({ ...update.build(this.#tableName, keys.webhookDelivery(tenantId, endpointId, deliveryId)), ReturnValues: 'ALL_NEW' }),
      );
      return toDelivery(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, endpointId, deliveryId))) throw notFound('Webhook delivery');
      throw translateDynamoError(error, 'WebhookDeliveryStore.update');
    }
  }

  async markQueued(tenantId: string, endpointId: string, deliveryId: string, round: number): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.webhookDelivery(tenantId, endpointId, deliveryId),
          UpdateExpression: 'SET queuedRound = :round',
          ConditionExpression: 'attribute_exists(pk) AND queuedRound < :round',
          ExpressionAttributeValues: { ':round': round },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return;
      throw translateDynamoError(error, 'WebhookDeliveryStore.markQueued');
    }
  }

  async list(tenantId: string, endpointId: string, request: DeliveryListRequest): Promise<Page<WebhookDelivery>> {
    return this.#queryByTime(tenantId, endpointId, { ...request, newestFirst: true, since: null, operation: 'WebhookDeliveryStore.list' });
  }

  async listSince(tenantId: string, endpointId: string, since: Date, status: DeliveryStatus | readonly DeliveryStatus[], request: { cursor?: string | null; limit: number }): Promise<Page<WebhookDelivery>> {
    return this.#queryByTime(tenantId, endpointId, { ...request, status, newestFirst: false, since, operation: 'WebhookDeliveryStore.listSince' });
  }

  async #queryByTime(
    tenantId: string,
    endpointId: string,
    options: { status?: DeliveryStatus | readonly DeliveryStatus[] | undefined; cursor?: string | null | undefined; limit: number; newestFirst: boolean; since: Date | null; operation: string },
  ): Promise<Page<WebhookDelivery>> {
    const limit = validatePageLimit(options.limit);
    const gsiPk = keys.webhookDeliveriesByTime(tenantId, endpointId);
    const startSk = options.cursor ? decodePageCursor(options.cursor, keys.webhookDeliveryPrefix) : null;
    const startKey = startSk ? { ...startKeyOf(tenantId, endpointId, startSk), [INDEX.byParent.partitionKey]: gsiPk, [INDEX.byParent.sortKey]: startSk } : undefined;
    const values: Record<string, unknown> = { ':pk': gsiPk };
    let keyCondition = '#gpk = :pk';
    if (options.since) {
      keyCondition += ' AND #gsk >= :since';
      values[':since'] = keys.webhookDeliveryTimeSortKey(options.since.toISOString(), '');
    } else {
      keyCondition += ' AND begins_with(#gsk, :prefix)';
      values[':prefix'] = keys.webhookDeliveryPrefix;
    }
    const names: Record<string, string> = { '#gpk': INDEX.byParent.partitionKey, '#gsk': INDEX.byParent.sortKey };
    const statuses = options.status === undefined ? [] : typeof options.status === 'string' ? [options.status] : options.status;
    if (statuses.length > 0) {
      names['#status'] = 'status';
      statuses.forEach((status, i) => (values[`:status${i}`] = status));
    }
    const statusFilter = statuses.length > 0 ? `#status IN (${statuses.map((_s, i) => `:status${i}`).join(', ')})` : null;
    const { items, cursor } = await queryFilteredPage(
      this.#doc,
      {
        TableName: this.#tableName,
        IndexName: INDEX.byParent.name,
        KeyConditionExpression: keyCondition,
        ...(statusFilter ? { FilterExpression: statusFilter } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: !options.newestFirst,
      },
      options.operation,
      { limit, startKey, filteredReadSize: statusFilter ? 100 : null, sortKeyAttribute: INDEX.byParent.sortKey },
    );
    return { items: items.map(toDelivery), cursor };
  }
}

/** The table key of the delivery a gsi1 sort key (`DLV#<createdAt>#<id>`) names. */
function startKeyOf(tenantId: string, endpointId: string, gsiSortKey: string): { pk: string; sk: string } {
  const deliveryId = gsiSortKey.slice(gsiSortKey.lastIndexOf('#') + 1);
  return keys.webhookDelivery(tenantId, endpointId, deliveryId);
}

function toDelivery(item: StoredItem): WebhookDelivery {
  return parseItem(WebhookDelivery, item, 'webhook-delivery');
}
