/**
 * The one error type of the system. Codes are dotted (`area.reason`) so callers can match a whole area
 * with a prefix (`isAppError(err, 'provider.')`). Adapters translate SDK and HTTP errors into these codes at
 * their edge; handlers map them once (HTTP status, SQS retry, event) and never look at the `cause`.
 *
 * @example
 *   throw new AppError('provider.rate_limited', 'Google quota exceeded', { retryable: true, retryAfterMs: 30_000 });
 */
export type AppErrorCode =
  // Bad input from a caller: HTTP 400. `details.field` names the offending field.
  | 'input.invalid'
  // Identity and permission: 401 / 403.
  | 'auth.unauthenticated'
  | 'auth.forbidden'
  // Our own resources: 404 / 409.
  | 'resource.not_found'
  | 'resource.conflict'
  // Optimistic-lock and single-use conflicts inside storage.
  | 'storage.conflict'
  // Provider edge, translated inside each provider adapter (architecture.md "The provider port").
  | 'provider.auth_revoked'
  | 'provider.rate_limited'
  | 'provider.unavailable'
  | 'provider.precondition_failed'
  | 'provider.not_found'
  | 'provider.cursor_invalid'
  | 'provider.input_invalid'
  // Event writes (scheduling.md §2): a read-only calendar (403); an Idempotency-Key reused with another
  // request (422) or whose first request is still running (409); a conference provider not available yet (400).
  | 'calendar.read_only'
  | 'idempotency.key_reused'
  | 'idempotency.in_progress'
  | 'video.provider_unavailable'
  // Bookings (scheduling.md §2, §4): the time is taken or no longer free (409, with `alternatives`).
  | 'booking.slot_unavailable'
  // Notification senders (shared/notify): throttled / unavailable retry; the rest are permanent for that message.
  | 'notify.throttled'
  | 'notify.unavailable'
  | 'notify.recipient_invalid'
  | 'notify.suppressed'
  | 'notify.template_rejected'
  | 'notify.target_gone'
  | 'notify.auth_failed'
  | 'notify.rejected'
  // Video providers (shared/ports/video-provider.ts): a daily meeting quota used up (Zoom: 100 creates and
  // updates per user per day), throttling, outages, rejected credentials, a mailbox without Teams.
  | 'video.quota_exhausted'
  | 'video.rate_limited'
  | 'video.unavailable'
  | 'video.auth_failed'
  | 'video.not_found'
  | 'video.input_invalid'
  | 'video.teams_not_allowed'
  // A booking type host names a video connection that was disconnected (DELETE /v1/connections/zoom/{id}): 409.
  | 'video.connection_missing'
  // A caller over its request budget (public booking pages: per client address and per booking type): 429
  // with Retry-After from `retryAfterMs`.
  | 'request.rate_limited'
  // Configuration problems found at start or first use.
  | 'config.invalid'
  // Anything not foreseen.
  | 'internal.unexpected';

export interface AppErrorDetails {
  /** Dotted path of the offending input field, e.g. `query.start` or `body.eventTypes[0]`. */
  field?: string;
  /** Further machine-readable facts (never secrets). */
  [key: string]: unknown;
}

export interface AppErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  details?: AppErrorDetails;
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<AppErrorCode> = new Set([
  'provider.rate_limited',
  'provider.unavailable',
  'video.rate_limited',
  'video.unavailable',
  'storage.conflict',
  'internal.unexpected',
  'notify.throttled',
  'notify.unavailable',
  'request.rate_limited',
]);

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: AppErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: AppErrorDetails | undefined;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

/** True when `error` is an AppError whose code equals `codeOrPrefix` or starts with it (when it ends in `.`). */
export function isAppError(error: unknown, codeOrPrefix?: string): error is AppError {
  if (!(error instanceof AppError)) return false;
  if (codeOrPrefix === undefined) return true;
  return codeOrPrefix.endsWith('.') ? error.code.startsWith(codeOrPrefix) : error.code === codeOrPrefix;
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal.unexpected', message, { cause: error });
}

export function inputError(field: string, message: string): AppError {
  return new AppError('input.invalid', message, { details: { field } });
}

export function notFound(what: string): AppError {
  return new AppError('resource.not_found', `${what} not found`);
}
