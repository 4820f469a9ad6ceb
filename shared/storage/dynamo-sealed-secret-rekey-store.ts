import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { AssociatedData, CredentialCipher, SealedSecret } from '../ports/credential-cipher.ts';
import type { RekeyProgress, SealedSecretRef, SealedSecretRekeyStore } from '../ports/sealed-secret-rekey.ts';
import { credentialsAad } from './dynamo-connection-store.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE } from './item-codec.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';
import { notificationChannelAad } from './dynamo-notification-channel-store.ts';
import { videoCredentialsAad } from './dynamo-video-connection-store.ts';
import { webhookSecretAad } from './dynamo-webhook-endpoint-store.ts';

export interface DynamoSealedSecretRekeyStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher & { currentKeyId?(): string | null };
}

/** Where each kind keeps its sealed blob and the version its writers condition on, and what binds it. */
const KINDS = {
  'connection-credentials': {
    entity: 'credentials',
    sealed: 'sealed',
    version: 'version',
    aad: (item: Record<string, unknown>): AssociatedData => credentialsAad(String(item.tenantId), String(item.connectionId), String(item.provider)),
    ownerId: (item: Record<string, unknown>) => String(item.connectionId),
  },
  'webhook-secrets': {
    entity: 'webhook-endpoint',
    sealed: 'sealedSecrets',
    version: 'secretsVersion',
    aad: (item: Record<string, unknown>): AssociatedData => webhookSecretAad(String(item.tenantId), String(item.id)),
    ownerId: (item: Record<string, unknown>) => String(item.id),
  },
  'video-credentials': {
    entity: 'video-connection',
    sealed: 'sealed',
    version: 'credentialsVersion',
    aad: (item: Record<string, unknown>): AssociatedData => videoCredentialsAad(String(item.tenantId), String(item.id)),
    ownerId: (item: Record<string, unknown>) => String(item.id),
  },
  'notification-secret': {
    entity: 'notification-channel',
    sealed: 'sealedSecret',
    version: 'version',
    aad: (item: Record<string, unknown>): AssociatedData => notificationChannelAad(String(item.tenantId), String(item.id)),
    ownerId: (item: Record<string, unknown>) => String(item.id),
  },
  // The deployment's own signing keys (public booking manage tokens): no tenant, bound to their purpose.
  'signing-key': {
    entity: 'signing-key',
    sealed: 'sealedKey',
    version: 'version',
    aad: (item: Record<string, unknown>): AssociatedData => ({ purpose: String(item.purpose) }),
    ownerId: (item: Record<string, unknown>) => String(item.purpose),
  },
} as const;
type Kind = keyof typeof KINDS;
const KIND_OF_ENTITY = new Map<unknown, Kind>((Object.keys(KINDS) as Kind[]).map((kind) => [KINDS[kind].entity, kind]));

const PROGRESS_KEY = { pk: 'SYS#rekey', sk: 'PROGRESS' };
const Progress = z.object({
  cursor: z.nullable(z.string()),
  resealed: z.int(),
  alreadyCurrent: z.int(),
  changedMeanwhile: z.int(),
  startedAt: z.string(),
  completedAt: z.nullable(z.string()),
  keyId: z.nullable(z.string()),
});

/**
 * A table scan (every tenant) filtered to the items that hold sealed secrets (connection credentials,
 * webhook signing secrets, video connection credentials, notification channel secrets); OAuth states also hold one
 * but live 10 minutes, so they are left to expire. A reseal reads the item again (consistent), opens the
 * blob under whichever key sealed it and writes the new blob only if the item's secret version and key id
 * are still the ones listed; the version is not bumped, so a token refresh racing the job still wins.
 */
export class DynamoSealedSecretRekeyStore implements SealedSecretRekeyStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cipher: DynamoSealedSecretRekeyStoreOptions['cipher'];

  constructor(options: DynamoSealedSecretRekeyStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#cipher = options.cipher;
  }

  currentKeyId(): string | null {
    return this.#cipher.currentKeyId?.() ?? null;
  }

  async listSealed(cursor: string | null, limit: number): Promise<{ items: SealedSecretRef[]; cursor: string | null }> {
    const output = await dynamoCall('SealedSecretRekeyStore.listSealed', () =>
      this.#doc.send(
        new ScanCommand({
          TableName: this.#tableName,
          FilterExpression: `#entity IN (${[...KIND_OF_ENTITY.keys()].map((_e, i) => `:e${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE },
          ExpressionAttributeValues: Object.fromEntries([...KIND_OF_ENTITY.keys()].map((entity, i) => [`:e${i}`, entity])),
          Limit: limit,
          ExclusiveStartKey: cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined,
        }),
      ),
    );
    const items: SealedSecretRef[] = [];
    for (const item of (output.Items ?? []) as Record<string, unknown>[]) {
      const kind = KIND_OF_ENTITY.get(item[ENTITY_ATTRIBUTE]);
      if (!kind) continue;
      const spec = KINDS[kind];
      // A notification channel may hold no secret at all.
      const sealed = SealedSecretSchema.safeParse(item[spec.sealed]);
      if (!sealed.success) continue;
      const itemKey = { pk: String(item.pk), sk: String(item.sk) };
      items.push({ kind, itemKey, tenantId: String(item.tenantId ?? '-'), ownerId: spec.ownerId(item), keyId: sealed.data.keyId, version: Number(item[spec.version]) });
    }
    const next = output.LastEvaluatedKey ? Buffer.from(JSON.stringify(output.LastEvaluatedKey), 'utf8').toString('base64url') : null;
    return { items, cursor: next };
  }

  async reseal(ref: SealedSecretRef): Promise<string | null> {
    const spec = KINDS[ref.kind];
    const key = ref.itemKey;
    const output = await dynamoCall('SealedSecretRekeyStore.reseal', () => this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: key, ConsistentRead: true })));
    const item = output.Item as Record<string, unknown> | undefined;
    if (!item || Number(item[spec.version]) !== ref.version) return null;
    const sealed = SealedSecretSchema.parse(item[spec.sealed]) as SealedSecret;
    if (sealed.keyId !== ref.keyId) return null;
    const aad = spec.aad(item);
    const resealed = await this.#cipher.seal(await this.#cipher.open(sealed, aad), aad);
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: key,
          UpdateExpression: 'SET #sealed = :sealed',
          ConditionExpression: '#version = :version AND #sealed.keyId = :oldKeyId',
          ExpressionAttributeNames: { '#sealed': spec.sealed, '#version': spec.version },
          ExpressionAttributeValues: { ':sealed': resealed, ':version': ref.version, ':oldKeyId': ref.keyId },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw translateDynamoError(error, 'SealedSecretRekeyStore.reseal');
    }
    return resealed.keyId;
  }

  async loadProgress(): Promise<RekeyProgress | null> {
    const output = await dynamoCall('SealedSecretRekeyStore.loadProgress', () => this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: PROGRESS_KEY, ConsistentRead: true })));
    return output.Item ? Progress.parse(output.Item.progress) : null;
  }

  async saveProgress(progress: RekeyProgress): Promise<void> {
    await dynamoCall('SealedSecretRekeyStore.saveProgress', () =>
      this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: { ...PROGRESS_KEY, [ENTITY_ATTRIBUTE]: 'rekey-progress', progress: Progress.parse(progress) } })),
    );
  }
}
