/**
 * Keys the deployment signs its own links with (public booking manage tokens): made once, kept sealed
 * under the credentials key, the same on every instance.
 */
export interface SigningKeys {
  /** 32 bytes; the same for every call and every instance. */
  manageTokenKey(): Promise<Uint8Array>;
}
