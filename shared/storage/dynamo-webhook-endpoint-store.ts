import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { AppError, notFound } from '../domain/app-error.ts';
import { Instant } from '../domain/timestamps.ts';
import { WebhookEndpoint } from '../domain/webhook-endpoint.ts';
import type { AssociatedData, CredentialCipher, SealedSecret } from '../ports/credential-cipher.ts';
import type { Page, PageRequest } from '../ports/page.ts';
import type { EndpointWithSecrets, WebhookEndpointPatch, WebhookEndpointStore } from '../ports/webhook-endpoint-store.ts';
import { dynamoCall, isConditionalCheckFailed, storageConflict, translateDynamoError } from './dynamo-errors.ts';
import { queryAll, queryPage } from './dynamo-query.ts';
import { TtlCache } from './encryption/ttl-cache.ts';
import { ENTITY_ATTRIBUTE, parseItem, validForWrite, validPatch, type StoredItem } from './item-codec.ts';
import { keys } from './keys.ts';
import { decodePageCursor, encodePageCursor, validatePageLimit } from './page-cursor.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';
import { UpdateBuilder } from './update-builder.ts';

export interface DynamoWebhookEndpointStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
}

/** Storage-only attributes of an endpoint item. */
const SECRET_ATTRIBUTES = ['sealedSecrets', 'secretsVersion'] as const;

/** The sealed plaintext: every secret still valid, newest first; `validUntil` null for the current one. */
const SecretList = z.array(z.object({ secret: z.string().check(z.minLength(1)), validUntil: z.nullable(Instant) }));
type SecretList = z.infer<typeof SecretList>;

const EndpointPatchSchema = z.partial(
  z.pick(WebhookEndpoint, { url: true, eventTypes: true, description: true, enabled: true, disabledReason: true, failingSince: true, updatedAt: true }),
);

/** Opened secret lists, by the ciphertext that sealed them: a warm worker signs without a KMS call per attempt. */
const OPENED_SECRETS_TTL_MS = 5 * 60_000;

/**
 * Webhook endpoints (`T#<tenant>` / `WHE#<id>`) with their signing secrets sealed in the same item under
 * `{tenantId, endpointId, provider: 'webhook'}` (the KMS grant requires tenant and provider in the
 * encryption context). User edits are conditional on `version`; the worker's failing-streak marks are not
 * versioned, so they never make a user's PATCH fail.
 */
export class DynamoWebhookEndpointStore implements WebhookEndpointStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cipher: CredentialCipher;
  readonly #opened = new TtlCache<string, SecretList>({ maxEntries: 1_000, ttlMs: OPENED_SECRETS_TTL_MS });

  constructor(options: DynamoWebhookEndpointStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#cipher = options.cipher;
  }

  async create(endpoint: WebhookEndpoint, secret: string): Promise<WebhookEndpoint> {
    const valid = validForWrite(WebhookEndpoint, endpoint, 'webhook endpoint');
    const sealedSecrets = await this.#seal(valid.tenantId, valid.id, [{ secret, validUntil: null }]);
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...keys.webhookEndpoint(valid.tenantId, valid.id), [ENTITY_ATTRIBUTE]: 'webhook-endpoint', ...valid, sealedSecrets, secretsVersion: 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      throw translateDynamoError(error, 'WebhookEndpointStore.create');
    }
    return valid;
  }

  async get(tenantId: string, endpointId: string): Promise<WebhookEndpoint | null> {
    const item = await this.#getItem(tenantId, endpointId, 'WebhookEndpointStore.get');
    return item ? toEndpoint(item) : null;
  }

  async getWithSecrets(tenantId: string, endpointId: string, now: Date): Promise<EndpointWithSecrets | null> {
    const item = await this.#getItem(tenantId, endpointId, 'WebhookEndpointStore.getWithSecrets');
    if (!item) return null;
    const secrets = await this.#open(tenantId, endpointId, parseSealed(item));
    return { endpoint: toEndpoint(item), secrets: validAt(secrets, now).map((entry) => entry.secret) };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const limit = validatePageLimit(page.limit);
    const pk = keys.tenantPartition(tenantId);
    const startKey = page.cursor ? { pk, sk: decodePageCursor(page.cursor, keys.webhookEndpointPrefix) } : undefined;
    const result = await queryPage(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': keys.webhookEndpointPrefix },
        ConsistentRead: true,
      },
      limit,
      startKey,
      'WebhookEndpointStore.list',
    );
    const last = result.items.at(-1);
    return { items: result.items.map(toEndpoint), cursor: result.hasMore && last ? encodePageCursor(String(last.sk)) : null };
  }

  async listAll(tenantId: string): Promise<WebhookEndpoint[]> {
    const items = await queryAll(
      this.#doc,
      {
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.tenantPartition(tenantId), ':prefix': keys.webhookEndpointPrefix },
        // The sealed secrets stay in the table: fan-out never needs them.
        ProjectionExpression: Object.keys(WebhookEndpoint.shape).map((name) => `#${name}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(Object.keys(WebhookEndpoint.shape).map((name) => [`#${name}`, name])),
      },
      'WebhookEndpointStore.listAll',
    );
    return items.map(toEndpoint);
  }

  async update(tenantId: string, endpointId: string, expectedVersion: number, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
    const update = new UpdateBuilder();
    for (const [field, value] of Object.entries(validPatch(EndpointPatchSchema, patch, 'webhook endpoint patch'))) {
      if (value !== undefined) update.set(field, value);
    }
    update.add('version', 1);
    update.conditionExists();
    update.condition('version', '=', expectedVersion);
    try {
      const output = await this.#doc.send(new UpdateCommand({ ...update.build(this.#tableName, keys.webhookEndpoint(tenantId, endpointId)), ReturnValues: 'ALL_NEW' }));
      return toEndpoint(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error) && !(await this.get(tenantId, endpointId))) throw notFound('Webhook endpoint');
      throw translateDynamoError(error, 'WebhookEndpointStore.update');
    }
  }

  async delete(tenantId: string, endpointId: string): Promise<boolean> {
    try {
      await this.#doc.send(
        new DeleteCommand({ TableName: this.#tableName, Key: keys.webhookEndpoint(tenantId, endpointId), ConditionExpression: 'attribute_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'WebhookEndpointStore.delete');
    }
  }

  async rotateSecret(tenantId: string, endpointId: string, secret: string, now: Date, previousValidUntil: Date): Promise<void> {
    const item = await this.#getItem(tenantId, endpointId, 'WebhookEndpointStore.rotateSecret');
    if (!item) throw notFound('Webhook endpoint');
    const current = await this.#open(tenantId, endpointId, parseSealed(item));
    const previous = validAt(current, now).map((entry) => ({ secret: entry.secret, validUntil: minIso(entry.validUntil, previousValidUntil.toISOString()) }));
    const sealedSecrets = await this.#seal(tenantId, endpointId, [{ secret, validUntil: null }, ...previous]);
    const expected = parseSealed(item).secretsVersion;
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.webhookEndpoint(tenantId, endpointId),
          UpdateExpression: 'SET sealedSecrets = :sealed, secretsVersion = :next, updatedAt = :now',
          ConditionExpression: 'secretsVersion = :expected',
          ExpressionAttributeValues: { ':sealed': sealedSecrets, ':next': expected + 1, ':expected': expected, ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw storageConflict('WebhookEndpointStore.rotateSecret', error);
      throw translateDynamoError(error, 'WebhookEndpointStore.rotateSecret');
    }
  }

  async markFailing(tenantId: string, endpointId: string, since: string): Promise<void> {
    await this.#conditionalSet(tenantId, endpointId, 'SET failingSince = :since', 'attribute_exists(pk) AND attribute_type(failingSince, :null)', {
      ':since': since,
      ':null': 'NULL',
    });
  }

  async clearFailing(tenantId: string, endpointId: string): Promise<void> {
    await this.#conditionalSet(tenantId, endpointId, 'SET failingSince = :none', 'attribute_exists(pk) AND NOT attribute_type(failingSince, :null)', {
      ':none': null,
      ':null': 'NULL',
    });
  }

  async disable(tenantId: string, endpointId: string, reason: 'gone' | 'failing', now: Date): Promise<WebhookEndpoint | null> {
    try {
      const output = await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.webhookEndpoint(tenantId, endpointId),
          UpdateExpression: 'SET enabled = :false, disabledReason = :reason, updatedAt = :now, version = version + :one',
          ConditionExpression: 'attribute_exists(pk) AND enabled = :true',
          ExpressionAttributeValues: { ':false': false, ':true': true, ':reason': reason, ':now': now.toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toEndpoint(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw translateDynamoError(error, 'WebhookEndpointStore.disable');
    }
  }

  async #conditionalSet(tenantId: string, endpointId: string, expression: string, condition: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: keys.webhookEndpoint(tenantId, endpointId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return; // already in that state, or gone
      throw translateDynamoError(error, 'WebhookEndpointStore.failingStreak');
    }
  }

  async #getItem(tenantId: string, endpointId: string, operation: string): Promise<StoredItem | null> {
    const output = await dynamoCall(operation, () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.webhookEndpoint(tenantId, endpointId), ConsistentRead: true })),
    );
    return (output.Item as StoredItem | undefined) ?? null;
  }

  async #seal(tenantId: string, endpointId: string, secrets: SecretList): Promise<SealedSecret> {
    return this.#cipher.seal(JSON.stringify(secrets), webhookSecretAad(tenantId, endpointId));
  }

  async #open(tenantId: string, endpointId: string, stored: { sealedSecrets: SealedSecret }): Promise<SecretList> {
    const cacheKey = `${tenantId}/${endpointId}/${stored.sealedSecrets.ciphertext}`;
    const cached = this.#opened.get(cacheKey);
    if (cached) return cached;
    const plaintext = await this.#cipher.open(stored.sealedSecrets, webhookSecretAad(tenantId, endpointId));
    let json: unknown;
    try {
      json = JSON.parse(plaintext);
    } catch {
      json = undefined;
    }
    const parsed = SecretList.safeParse(json);
    // Never echo the plaintext: it is the signing secret.
    if (!parsed.success) throw new AppError('internal.unexpected', 'Stored webhook secrets have an unexpected shape', { retryable: false });
    this.#opened.set(cacheKey, parsed.data);
    return parsed.data;
  }
}

/** The associated data that binds an endpoint's sealed secrets to it. */
export function webhookSecretAad(tenantId: string, endpointId: string): AssociatedData {
  return { tenantId, endpointId, provider: 'webhook' };
}

function toEndpoint(item: StoredItem): WebhookEndpoint {
  return parseItem(WebhookEndpoint, item, 'webhook-endpoint', SECRET_ATTRIBUTES);
}

const SealedItem = z.object({ sealedSecrets: SealedSecretSchema, secretsVersion: z.int() });

function parseSealed(item: StoredItem): z.infer<typeof SealedItem> {
  const result = SealedItem.safeParse({ sealedSecrets: item.sealedSecrets, secretsVersion: item.secretsVersion });
  if (!result.success) throw new AppError('internal.unexpected', 'Stored webhook endpoint has no sealed secrets', { retryable: false });
  return result.data;
}

function validAt(secrets: SecretList, now: Date): SecretList {
  return secrets.filter((entry) => entry.validUntil === null || Date.parse(entry.validUntil) > now.getTime());
}

function minIso(a: string | null, b: string): string {
  return a !== null && a < b ? a : b;
}
