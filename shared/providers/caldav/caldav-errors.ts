import { AppError } from '../../domain/app-error.ts';
import { CaldavNetworkError } from './caldav-fetch.ts';

/** What we know about a failed CalDAV exchange: the HTTP status (null: no answer) and the answer's headers. */
export interface CaldavFailure {
  status: number | null;
  retryAfter: string | null;
  /** The answer body, for the DAV:error element (e.g. `valid-sync-token`); never logged whole. */
  body: string;
}

/** Retry-After as milliseconds (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** The DAV:error precondition named in a body (`valid-sync-token`, `supported-report`, `no-uid-conflict`…), if any. */
export function davPrecondition(body: string): string | null {
  const match = /<(?:[\w-]+:)?error\b[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/i.exec(body);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * CalDAV answers → our provider codes (providers.md C45, C47, C51): 401/403 on an existing connection mean
 * the password was changed or revoked (iCloud revokes app-specific passwords when the Apple ID password
 * changes): never retried. A 403 `valid-sync-token` is an expired cursor. 429/503 with Retry-After is a rate
 * limit; other 5xx and transport failures are transient.
 */
export function translateCaldavFailure(failure: CaldavFailure, what: string, cause?: unknown): AppError {
  const options = cause === undefined ? {} : { cause };
  const { status } = failure;
  const message = `CalDAV ${what}: ${status ?? 'no answer'}`;
  const precondition = davPrecondition(failure.body);
  if (status === null) return new AppError('provider.unavailable', message, { ...options, retryable: true });
  if (status === 403 && precondition === 'valid-sync-token') return new AppError('provider.cursor_invalid', `${message} valid-sync-token`, { ...options, retryable: false });
  // A 403 naming a DAV precondition (supported-report, no-uid-conflict…) is a protocol refusal, not a login failure.
  if (status === 401 || (status === 403 && precondition === null)) {
    return new AppError('provider.auth_revoked', `${message}: the server refused the user name and password`, { ...options, retryable: false, details: { status } });
  }
  const wait = retryAfterMs(failure.retryAfter);
  if ((status === 429 || status === 503) && wait !== null) {
    return new AppError('provider.rate_limited', message, { ...options, retryable: true, retryAfterMs: Math.min(Math.max(wait, 1_000), 3_600_000) });
  }
  if (status === 429) return new AppError('provider.rate_limited', message, { ...options, retryable: true, retryAfterMs: 60_000 });
  if (status >= 500 && status !== 501 && status !== 507) return new AppError('provider.unavailable', message, { ...options, retryable: true });
  if (status === 404 || status === 410) return new AppError('provider.not_found', message, { ...options, retryable: false });
  if (status === 412) return new AppError('provider.precondition_failed', `${message}: the resource changed since it was read`, { ...options, retryable: false });
  return new AppError('provider.input_invalid', `${message}${precondition ? ` ${precondition}` : ''}`, { ...options, retryable: false, details: { status, ...(precondition ? { precondition } : {}) } });
}

/** A transport failure (or anything unexpected thrown while calling) as an AppError. */
export function translateCaldavThrown(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof CaldavNetworkError) {
    return new AppError('provider.unavailable', `CalDAV ${what}: ${error.code} ${error.message}`, { cause: error, retryable: true, details: { network: error.code } });
  }
  return new AppError('provider.unavailable', `CalDAV ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable: true });
}
