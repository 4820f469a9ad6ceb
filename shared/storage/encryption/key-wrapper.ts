import type { AssociatedData } from '../../ports/credential-cipher.ts';

/** A 256-bit data key in the clear and wrapped by a key provider. */
export interface DataKey {
  plaintext: Uint8Array;
  encryptedKey: Uint8Array;
  /** The wrapping key's id, stored beside the ciphertext (KMS key ARN or `local:<fingerprint>`). */
  keyId: string;
}

/**
 * The key-provider half of envelope encryption. `context` is the same associated data that binds the
 * ciphertext, so a data key unwraps only for the record it was made for (KMS: EncryptionContext).
 */
export interface KeyWrapper {
  /** A data key under the current wrapping key (possibly reused for the same context for a few minutes). */
  generateDataKey(context: AssociatedData): Promise<DataKey>;
  /** Throws when `keyId` is unknown, the context differs or the wrapped key was tampered with. */
  unwrapDataKey(encryptedKey: Uint8Array, keyId: string, context: AssociatedData): Promise<Uint8Array>;
  /** The id new data keys are wrapped under, when known before wrapping one (a KMS alias resolves only then). */
  currentKeyId?(): string | null;
}
