import { createHash, randomBytes } from 'node:crypto';

// Crockford base32: sortable, case-insensitive, no ambiguous letters.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeBytes(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** A ULID: 48-bit time + 80 random bits, 26 chars, sorts by creation time. */
export function ulid(nowMs: number = Date.now()): string {
  return encodeTime(nowMs) + encodeBytes(randomBytes(10), 16);
}

/** Resource ids are `prefix_ULID`, e.g. `con_01J9...`: readable in logs and ordered by creation. */
export function newId(prefix: IdPrefix, nowMs?: number): string {
  return `${prefix}_${ulid(nowMs)}`;
}

export type IdPrefix = 'con' | 'cal' | 'evt' | 'dev' | 'whe' | 'dlv' | 'msg' | 'att' | 'chn' | 'job' | 'sch' | 'bkt' | 'bkg' | 'ntc' | 'ntf' | 'rmd' | 'vcn' | 'log';

/**
 * Deterministic id from stable parts: the same inputs give the same id on every run, so a retried sync
 * writes the same items and re-emits domain events with the same ids (downstream dedupe by id).
 */
export function stableId(prefix: IdPrefix, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest();
  return `${prefix}_${encodeBytes(digest, 26)}`;
}

/** Random URL-safe secret of `bytes` bytes (channel tokens, OAuth state, PKCE verifiers). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
