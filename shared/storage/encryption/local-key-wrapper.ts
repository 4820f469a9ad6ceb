import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import { canonicalJson } from '../../domain/content-hash.ts';
import type { AssociatedData } from '../../ports/credential-cipher.ts';
import type { DataKey, KeyWrapper } from './key-wrapper.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LocalKeyWrapperOptions {
  /** The current 32-byte wrapping key: new data keys are wrapped under it. */
  key: Uint8Array;
  /** Keys rotated out that must still unwrap what they wrapped (until everything is resealed). */
  previousKeys?: readonly Uint8Array[];
}

/**
 * KMS stand-in for the local stack (`LOCAL_ENCRYPTION_KEY`): data keys are wrapped with AES-256-GCM under a
 * 32-byte key from configuration, the associated data bound into the wrap. The key id is a fingerprint of
 * the key, so a stored secret names the key that can open it.
 */
export class LocalKeyWrapper implements KeyWrapper {
  readonly keyId: string;
  readonly #currentKey: Buffer;
  readonly #keysById = new Map<string, Buffer>();

  constructor(options: LocalKeyWrapperOptions) {
    this.#currentKey = checkedKey(options.key);
    this.keyId = localKeyId(this.#currentKey);
    for (const key of [this.#currentKey, ...(options.previousKeys ?? []).map(checkedKey)]) this.#keysById.set(localKeyId(key), key);
  }

  /** From base64 configuration values (`LOCAL_ENCRYPTION_KEY`, and any rotated-out keys). */
  static fromBase64(key: string, previousKeys: readonly string[] = []): LocalKeyWrapper {
    return new LocalKeyWrapper({ key: Buffer.from(key, 'base64'), previousKeys: previousKeys.map((k) => Buffer.from(k, 'base64')) });
  }

  currentKeyId(): string {
    return this.keyId;
  }

  async generateDataKey(context: AssociatedData): Promise<DataKey> {
    const plaintext = randomBytes(KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#currentKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapContext(context));
    const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, encryptedKey: Buffer.concat([iv, wrapped, cipher.getAuthTag()]), keyId: this.keyId };
  }

  async unwrapDataKey(encryptedKey: Uint8Array, keyId: string, context: AssociatedData): Promise<Uint8Array> {
    const key = this.#keysById.get(keyId);
    if (!key) throw new AppError('internal.unexpected', 'Secret was sealed under a local key that is not configured', { retryable: false, details: { keyId } });
    const blob = Buffer.from(encryptedKey);
    if (blob.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new AppError('internal.unexpected', 'Wrapped data key has the wrong size', { retryable: false });
    const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(wrapContext(context));
    decipher.setAuthTag(blob.subarray(IV_BYTES + KEY_BYTES));
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES, IV_BYTES + KEY_BYTES)), decipher.final()]);
  }
}

function checkedKey(key: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) {
    throw new AppError('config.invalid', `LOCAL_ENCRYPTION_KEY must be base64 of exactly ${KEY_BYTES} bytes`, { retryable: false });
  }
  return Buffer.from(key);
}

/** An HMAC, not a plain hash, of the key: the id names the key without being a digest of it. */
function localKeyId(key: Buffer): string {
  return `local:${createHmac('sha256', key).update('calendar-integrations/local-key-id').digest('base64url').slice(0, 12)}`;
}

function wrapContext(context: AssociatedData): Buffer {
  return Buffer.from(`wrap:${canonicalJson(context)}`, 'utf8');
}
