import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../../domain/app-error.ts';
import { canonicalJson } from '../../domain/content-hash.ts';
import type { AssociatedData, CredentialCipher, SealedSecret } from '../../ports/credential-cipher.ts';
import type { KeyWrapper } from './key-wrapper.ts';

const ALGORITHM = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface EnvelopeCredentialCipherOptions {
  keyWrapper: KeyWrapper;
}

/**
 * AES-256-GCM envelope encryption (reliability.md §3): each secret is encrypted under a data key that the
 * key wrapper (KMS, or a local key) protects. The associated data (e.g. `{tenantId, connectionId,
 * provider}`) is authenticated both by GCM and by the key wrapper, so a sealed blob copied to another
 * record, or altered in any byte, does not open.
 */
export class EnvelopeCredentialCipher implements CredentialCipher {
  readonly #keyWrapper: KeyWrapper;

  constructor(options: EnvelopeCredentialCipherOptions) {
    this.#keyWrapper = options.keyWrapper;
  }

  async seal(plaintext: string, aad: AssociatedData): Promise<SealedSecret> {
    const associated = associatedBytes(aad);
    const dataKey = await this.#keyWrapper.generateDataKey(aad);
    if (dataKey.plaintext.length !== KEY_BYTES) throw new AppError('internal.unexpected', 'Key wrapper returned a data key of the wrong size', { retryable: false });
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associated);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      alg: ALGORITHM,
      keyId: dataKey.keyId,
      encryptedKey: Buffer.from(dataKey.encryptedKey).toString('base64'),
      iv: iv.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  async open(sealed: SealedSecret, aad: AssociatedData): Promise<string> {
    const associated = associatedBytes(aad);
    if (sealed.alg !== ALGORITHM) throw cannotOpen();
    const iv = strictBase64(sealed.iv);
    const tag = strictBase64(sealed.tag);
    const ciphertext = strictBase64(sealed.ciphertext);
    const encryptedKey = strictBase64(sealed.encryptedKey);
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw cannotOpen();
    let dataKey: Uint8Array;
    try {
      dataKey = await this.#keyWrapper.unwrapDataKey(encryptedKey, sealed.keyId, aad);
    } catch (error) {
      // A KMS outage is worth retrying; a key that does not unwrap never will be.
      if (error instanceof AppError && error.retryable) throw error;
      throw cannotOpen(error);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associated);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw cannotOpen(error);
    }
  }

  /** The key new seals are made under, if the wrapper knows it up front (key rotation skips what is already under it). */
  currentKeyId(): string | null {
    return this.#keyWrapper.currentKeyId?.() ?? null;
  }

  /** Key rotation: opens `sealed` (under whichever key sealed it) and seals it again under the current key. */
  async reseal(sealed: SealedSecret, aad: AssociatedData): Promise<SealedSecret> {
    return this.seal(await this.open(sealed, aad), aad);
  }
}

function associatedBytes(aad: AssociatedData): Buffer {
  const entries = Object.entries(aad);
  if (entries.length === 0 || entries.some(([, value]) => typeof value !== 'string' || value.length === 0)) {
    throw new AppError('internal.unexpected', 'Associated data must name the record the secret belongs to', { retryable: false });
  }
  return Buffer.from(canonicalJson(aad), 'utf8');
}

/** Node's base64 decoder skips bad characters; a sealed blob must round-trip exactly or it was altered. */
function strictBase64(value: string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (bytes.toString('base64') !== value) throw cannotOpen();
  return bytes;
}

function cannotOpen(cause?: unknown): AppError {
  return new AppError('internal.unexpected', 'Sealed secret could not be opened (wrong key, wrong associated data or altered ciphertext)', {
    retryable: false,
    cause,
  });
}
