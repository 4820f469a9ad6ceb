import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import type { CredentialCipher, SealedSecret } from '../ports/credential-cipher.ts';
import type { SigningKeys } from '../ports/signing-keys.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE } from './item-codec.ts';
import { keys } from './keys.ts';
import { SealedSecretSchema } from './sealed-secret-schema.ts';

export interface DynamoSigningKeysOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cipher: CredentialCipher;
  now?: () => Date;
}

const MANAGE_TOKEN_PURPOSE = 'booking-manage-token';
const KEY_BYTES = 32;

/**
 * Signing keys derived from the deployment's existing secret material: 32 random bytes made on first use,
 * sealed with the credentials cipher (KMS envelope in AWS, the local key in `npm start`) and stored in the
 * table, so no operator step and no extra secret is needed and every instance signs alike. The first
 * writer wins (conditional put); each instance opens the key once and keeps it for its life. Key rotation
 * (the secret-rekey job) reseals it like every other sealed secret: the key itself, and so every manage
 * link already sent, stays the same.
 */
export class DynamoSigningKeys implements SigningKeys {
  readonly #options: DynamoSigningKeysOptions;
  #manageKey: Promise<Uint8Array> | null = null;

  constructor(options: DynamoSigningKeysOptions) {
    this.#options = options;
  }

  manageTokenKey(): Promise<Uint8Array> {
    this.#manageKey ??= this.#load(MANAGE_TOKEN_PURPOSE).catch((error: unknown) => {
      this.#manageKey = null;
      throw error;
    });
    return this.#manageKey;
  }

  async #load(purpose: string): Promise<Uint8Array> {
    const existing = await this.#read(purpose);
    if (existing) return existing;
    const { doc, tableName, cipher } = this.#options;
    const sealedKey = await cipher.seal(randomBytes(KEY_BYTES).toString('base64'), { purpose });
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...keys.signingKey(purpose), [ENTITY_ATTRIBUTE]: 'signing-key', purpose, sealedKey, version: 1, createdAt: (this.#options.now?.() ?? new Date()).toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw translateDynamoError(error, 'SigningKeys.create');
    }
    // Read back either way: after a race every instance uses the winner's key.
    const stored = await this.#read(purpose);
    if (!stored) throw translateDynamoError(new Error('signing key vanished after its write'), 'SigningKeys.create');
    return stored;
  }

  async #read(purpose: string): Promise<Uint8Array | null> {
    const { doc, tableName, cipher } = this.#options;
    const output = await dynamoCall('SigningKeys.get', () => doc.send(new GetCommand({ TableName: tableName, Key: keys.signingKey(purpose), ConsistentRead: true })));
    if (!output.Item) return null;
    const sealed = SealedSecretSchema.parse(output.Item.sealedKey) as SealedSecret;
    return Buffer.from(await cipher.open(sealed, { purpose }), 'base64');
  }
}
