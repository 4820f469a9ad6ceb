/**
 * Envelope encryption of secrets at rest (reliability.md §3): AES-256-GCM under a data key from a key
 * provider (KMS in AWS, a local key in the local stack), with associated data binding the ciphertext to its
 * owner so it cannot be moved to another record.
 */
export interface SealedSecret {
  /** Algorithm tag, `A256GCM`. */
  alg: string;
  /** Id of the key that wrapped the data key (KMS key ARN or `local:<fingerprint>`). */
  keyId: string;
  /** The data key, encrypted by the key provider (base64). */
  encryptedKey: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

export type AssociatedData = Record<string, string>;

export interface CredentialCipher {
  seal(plaintext: string, aad: AssociatedData): Promise<SealedSecret>;
  /** Throws when the AAD differs or the ciphertext was tampered with. */
  open(sealed: SealedSecret, aad: AssociatedData): Promise<string>;
}
