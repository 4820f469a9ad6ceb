import { createHash } from 'node:crypto';
import { AppError, inputError } from '../../domain/app-error.ts';
import { canonicalJson } from '../../domain/content-hash.ts';
import type { IdempotentRequestStore, StoredResponse } from '../../ports/idempotent-request-store.ts';

/** How long a key's answer is replayed (Stripe keeps 24 h too). */
export const IDEMPOTENCY_TTL_SECONDS = 86_400;
/** How long a first request may run before a repeat may take over (longer than the API function's timeout). */
export const IDEMPOTENCY_LEASE_SECONDS = 60;

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  tenantId: string;
  /** The `Idempotency-Key` header, when the caller sent one. */
  key: string | undefined;
  /** What the request asks (route, path parameters, query, body): the same key with another request is refused. */
  request: unknown;
}

export interface IdempotentResult<T extends StoredResponse> {
  response: T;
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

/** `Idempotency-Key` validation: 1–255 visible ASCII characters (a 400 on the header otherwise). */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY.test(key)) throw inputError('headers.idempotency-key', 'an Idempotency-Key is 1 to 255 visible ASCII characters');
  return key;
}

/**
 * Runs a request at most once per Idempotency-Key (the IETF httpapi draft's rules): the first run's answer
 * is stored and replayed to repeats with the same request; the same key with another request is 422
 * `idempotency.key_reused`; a repeat while the first still runs is 409 `idempotency.in_progress`. A run that
 * fails gives the key up, so the repeat runs again (the write is keyed at the provider, so it cannot double).
 * Without a key the request simply runs.
 */
export async function runIdempotent<T extends StoredResponse>(store: IdempotentRequestStore, input: IdempotentRequest, run: () => Promise<T>): Promise<IdempotentResult<T>> {
  const key = checkIdempotencyKey(input.key);
  if (key === undefined) return { response: await run(), replayed: false };
  const fingerprint = createHash('sha256').update(canonicalJson(input.request)).digest('base64url');
  const begun = await store.begin(input.tenantId, key, fingerprint, { leaseSeconds: IDEMPOTENCY_LEASE_SECONDS, ttlSeconds: IDEMPOTENCY_TTL_SECONDS });
  if (begun.state === 'completed') return { response: begun.response as T, replayed: true };
  if (begun.state === 'mismatch') throw new AppError('idempotency.key_reused', 'This Idempotency-Key was used with a different request; use a new key for a new request', { retryable: false, details: { field: 'headers.idempotency-key' } });
  if (begun.state === 'in_progress') throw new AppError('idempotency.in_progress', 'The first request with this Idempotency-Key is still running; repeat it shortly', { retryable: true, retryAfterMs: 1000 });
  let response: T;
  try {
    response = await run();
  } catch (error) {
    await store.abandon(input.tenantId, key, fingerprint).catch(() => undefined);
    throw error;
  }
  await store.complete(input.tenantId, key, fingerprint, response, IDEMPOTENCY_TTL_SECONDS);
  return { response, replayed: false };
}

