import type { KMSClient } from '@aws-sdk/client-kms';
import { AppError } from '../../domain/app-error.ts';
import { canonicalJson } from '../../domain/content-hash.ts';
import type { AssociatedData } from '../../ports/credential-cipher.ts';
import type { DataKey, KeyWrapper } from './key-wrapper.ts';
import { TtlCache } from './ttl-cache.ts';

export interface KmsKeyWrapperOptions {
  /** A client, or a factory that builds one on first use (keeps the KMS SDK out of the cold start). */
  kms: KMSClient | (() => Promise<KMSClient>);
  /** Key id, ARN or alias that wraps new data keys. */
  keyId: string;
  /** How long a plaintext data key may be reused from memory (default 5 minutes). */
  cacheTtlMs?: number;
  /** Bound on cached data keys, per direction (default 1000). */
  maxCachedKeys?: number;
  now?: () => number;
}

const RETRYABLE_KMS_ERRORS = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'LimitExceededException',
  'TimeoutError',
]);

/**
 * Data keys from KMS (`GenerateDataKey` AES_256, `Decrypt`), with the associated data passed as KMS
 * EncryptionContext, so KMS itself refuses to unwrap a key for another record (and CloudTrail shows which
 * record was opened). Plaintext data keys are cached in memory for a few minutes, bounded, so a warm Lambda
 * does not call KMS for every item it reads or re-seals. Concurrent misses for the same key share one call.
 */
export class KmsKeyWrapper implements KeyWrapper {
  readonly #kmsSource: KMSClient | (() => Promise<KMSClient>);
  #kms: Promise<KMSClient> | null = null;
  readonly #keyId: string;
  readonly #generated: TtlCache<string, Promise<DataKey>>;
  readonly #unwrapped: TtlCache<string, Promise<Uint8Array>>;

  constructor(options: KmsKeyWrapperOptions) {
    this.#kmsSource = options.kms;
    this.#keyId = options.keyId;
    const cacheOptions = { ttlMs: options.cacheTtlMs ?? 5 * 60_000, maxEntries: options.maxCachedKeys ?? 1000, now: options.now ?? Date.now };
    this.#generated = new TtlCache(cacheOptions);
    this.#unwrapped = new TtlCache(cacheOptions);
  }

  #client(): Promise<KMSClient> {
    const source = this.#kmsSource;
    this.#kms ??= typeof source === 'function' ? source() : Promise.resolve(source);
    return this.#kms;
  }

  generateDataKey(context: AssociatedData): Promise<DataKey> {
    const cacheKey = canonicalJson(context);
    const cached = this.#generated.get(cacheKey);
    if (cached) return cached;
    const pending = this.#generate(context);
    this.#generated.set(cacheKey, pending);
    pending.then(
      (dataKey) => this.#unwrapped.set(unwrapCacheKey(dataKey.encryptedKey, dataKey.keyId, context), Promise.resolve(dataKey.plaintext)),
      () => {
        if (this.#generated.get(cacheKey) === pending) this.#generated.delete(cacheKey);
      },
    );
    return pending;
  }

  /** A key ARN names the key new data keys come from; an alias or bare id is resolved only by KMS. */
  currentKeyId(): string | null {
    return /^arn:aws[a-z-]*:kms:[^:]+:\d+:key\//.test(this.#keyId) ? this.#keyId : null;
  }

  unwrapDataKey(encryptedKey: Uint8Array, keyId: string, context: AssociatedData): Promise<Uint8Array> {
    const cacheKey = unwrapCacheKey(encryptedKey, keyId, context);
    const cached = this.#unwrapped.get(cacheKey);
    if (cached) return cached;
    const pending = this.#decrypt(encryptedKey, keyId, context);
    this.#unwrapped.set(cacheKey, pending);
    pending.catch(() => {
      if (this.#unwrapped.get(cacheKey) === pending) this.#unwrapped.delete(cacheKey);
    });
    return pending;
  }

  async #generate(context: AssociatedData): Promise<DataKey> {
    try {
      const [kms, { GenerateDataKeyCommand }] = await Promise.all([this.#client(), import('@aws-sdk/client-kms')]);
      const output = await kms.send(new GenerateDataKeyCommand({ KeyId: this.#keyId, KeySpec: 'AES_256', EncryptionContext: context }));
      if (!output.Plaintext || !output.CiphertextBlob) throw new AppError('internal.unexpected', 'KMS GenerateDataKey returned no key', { retryable: true });
      return { plaintext: output.Plaintext, encryptedKey: output.CiphertextBlob, keyId: output.KeyId ?? this.#keyId };
    } catch (error) {
      throw translateKmsError(error, 'GenerateDataKey');
    }
  }

  async #decrypt(encryptedKey: Uint8Array, keyId: string, context: AssociatedData): Promise<Uint8Array> {
    try {
      const [kms, { DecryptCommand }] = await Promise.all([this.#client(), import('@aws-sdk/client-kms')]);
      const output = await kms.send(new DecryptCommand({ CiphertextBlob: encryptedKey, KeyId: keyId, EncryptionContext: context }));
      if (!output.Plaintext) throw new AppError('internal.unexpected', 'KMS Decrypt returned no key', { retryable: false });
      return output.Plaintext;
    } catch (error) {
      throw translateKmsError(error, 'Decrypt');
    }
  }
}

function unwrapCacheKey(encryptedKey: Uint8Array, keyId: string, context: AssociatedData): string {
  return `${keyId}\u0000${Buffer.from(encryptedKey).toString('base64')}\u0000${canonicalJson(context)}`;
}

function translateKmsError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = shape.name ?? 'Error';
  const retryable = RETRYABLE_KMS_ERRORS.has(name) || (shape.$metadata?.httpStatusCode ?? 0) >= 500;
  return new AppError('internal.unexpected', `KMS ${operation} failed: ${name}`, { retryable, cause: error });
}
