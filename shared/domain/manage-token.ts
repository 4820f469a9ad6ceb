import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The invitee's manage link token of a public booking (scheduling.md §2 "Public"): HMAC-SHA256 over the
 * tenant, the booking id and an expiry, so it is scoped to that one booking and cannot be widened or
 * prolonged without the key. It carries the tenant (the public booking routes have no JWT to take it from)
 * and the expiry in the clear; it is signed, not encrypted.
 *
 *   mt1.<base64url(tenantId)>.<expires, epoch seconds>.<base64url(HMAC)>
 *
 * A token that does not verify for the booking in the path is `invalid` (answered 404, as for a booking that
 * does not exist: a guesser learns nothing); a genuine one past its expiry is `expired` (401).
 */
export const MANAGE_TOKEN_VERSION = 'mt1';
/** Longer than any token we issue (a 128-character tenant id, base64url, plus the rest). */
export const MAX_MANAGE_TOKEN_LENGTH = 512;

export interface ManageTokenClaims {
  tenantId: string;
  bookingId: string;
  expiresAtMs: number;
}

export type ManageTokenCheck = { ok: true; tenantId: string; expiresAtMs: number } | { ok: false; reason: 'invalid' | 'expired' };

function mac(key: Uint8Array, tenantId: string, bookingId: string, expiresAtSeconds: number): Buffer {
  // Line breaks cannot occur in tenant or booking ids: the fields cannot run into each other.
  return createHmac('sha256', key).update(`${MANAGE_TOKEN_VERSION}\n${tenantId}\n${bookingId}\n${expiresAtSeconds}`).digest();
}

export function signManageToken(key: Uint8Array, claims: ManageTokenClaims): string {
  const expiresAtSeconds = Math.ceil(claims.expiresAtMs / 1000);
  const tenant = Buffer.from(claims.tenantId, 'utf8').toString('base64url');
  return `${MANAGE_TOKEN_VERSION}.${tenant}.${expiresAtSeconds}.${mac(key, claims.tenantId, claims.bookingId, expiresAtSeconds).toString('base64url')}`;
}

/** Checks the signature for `bookingId` first: only a genuine token can be told apart as expired. */
export function verifyManageToken(key: Uint8Array, token: string, bookingId: string, nowMs: number): ManageTokenCheck {
  if (token.length > MAX_MANAGE_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== MANAGE_TOKEN_VERSION || !/^\d{1,12}$/.test(parts[2]!)) return { ok: false, reason: 'invalid' };
  const tenantId = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  const expiresAtSeconds = Number(parts[2]);
  const given = Buffer.from(parts[3]!, 'base64url');
  const expected = mac(key, tenantId, bookingId, expiresAtSeconds);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (nowMs >= expiresAtSeconds * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, tenantId, expiresAtMs: expiresAtSeconds * 1000 };
}
