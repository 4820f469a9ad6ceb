import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { OAuthProviderKind } from '../domain/connection.ts';
import { Instant } from '../domain/timestamps.ts';
import type { AssociatedData, CredentialCipher } from '../ports/credential-cipher.ts';
import type { OAuthState, OAuthStateStore } from '../ports/oauth-state-store.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite } from './item-codec.ts';
import { keys } from './keys.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoOAuthStateStoreOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
}

/** Calendar providers' states and the user-level Zoom app's (a video connection). */
const StateProvider = z.union([OAuthProviderKind, z.literal('zoom')]);

const OAuthStateSchema = z.object({
  state: z.string().check(z.minLength(1)),
  tenantId: z.string(),
  provider: StateProvider,
  codeVerifier: z.string(),
  redirectUri: z.string(),
  returnUrl: z.nullable(z.string()),
  createdAt: Instant,
  expiresAt: z.int().check(z.gte(0)),
});

const StoredStateSchema = z.object({
  tenantId: z.string(),
  provider: StateProvider,
  sealedVerifier: SealedSecretSchema,
  redirectUri: z.string(),
  returnUrl: z.nullable(z.string()),
  createdAt: Instant,
});

/**
 * One-time OAuth states (RFC 9700): keyed by a hash of `state` (the raw value never is a key), the PKCE
 * verifier sealed, removed by TTL. `consume` is a single conditional delete, so of any number of concurrent
 * callbacks with one state exactly one gets it.
 */
export class DynamoOAuthStateStore implements OAuthStateStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #cipher: CredentialCipher;

  constructor(options: DynamoOAuthStateStoreOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#cipher = options.cipher;
  }

  async put(state: OAuthState): Promise<void> {
    const valid = validForWrite(OAuthStateSchema, state, 'OAuth state');
    const sealedVerifier = await this.#cipher.seal(valid.codeVerifier, verifierAad(valid.state, valid.tenantId, valid.provider));
    const item = {
      ...keys.oauthState(valid.state),
      [ENTITY_ATTRIBUTE]: 'oauth-state',
      tenantId: valid.tenantId,
      provider: valid.provider,
      sealedVerifier,
      redirectUri: valid.redirectUri,
      returnUrl: valid.returnUrl,
      createdAt: valid.createdAt,
      [TTL_ATTRIBUTE]: valid.expiresAt,
    };
    // A state is random; a second put of the same one is a defect and must not replace the first.
    await dynamoCall('OAuthStateStore.put', () =>
      this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  async consume(state: string, now: Date): Promise<OAuthState | null> {
    let item: Record<string, unknown> | undefined;
    try {
      const output = await this.#doc.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: keys.oauthState(state),
          // TTL deletion lags: an expired state may still be there and must be refused all the same.
          ConditionExpression: 'attribute_exists(pk) AND #ttl > :nowSeconds',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':nowSeconds': toEpochSeconds(now) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      item = output.Attributes;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw translateDynamoError(error, 'OAuthStateStore.consume');
    }
    if (!item) return null;
    const stored = parseItem(StoredStateSchema, item, 'oauth-state');
    const codeVerifier = await this.#cipher.open(stored.sealedVerifier, verifierAad(state, stored.tenantId, stored.provider));
    return {
      state,
      tenantId: stored.tenantId,
      provider: stored.provider,
      codeVerifier,
      redirectUri: stored.redirectUri,
      returnUrl: stored.returnUrl,
      createdAt: stored.createdAt,
      expiresAt: Number(item[TTL_ATTRIBUTE]),
    };
  }
}

/** Binds the verifier to its state and to the tenant and provider the flow was started for. */
function verifierAad(state: string, tenantId: string, provider: string): AssociatedData {
  return { stateHash: createHash('sha256').update(state).digest('base64url'), tenantId, provider };
}
