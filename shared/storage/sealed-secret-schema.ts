import * as z from 'zod/mini';

/** A SealedSecret (ports/credential-cipher.ts) as stored in an item. */
export const SealedSecretSchema = z.object({
  alg: z.string(),
  keyId: z.string(),
  encryptedKey: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});
