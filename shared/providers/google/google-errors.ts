import { AppError } from '../../domain/app-error.ts';
import { backoffDelayMs } from '../../../shared/domain/backoff.ts';

/** The parts of a Google API failure we decide on (from a GaxiosError or a fetch response). */
export interface GoogleFailure {
  status: number | null;
  reason: string | null;
  message: string;
  location: string | null;
}

/** Reads status and `error.errors[0].reason` from whatever the client threw (never its headers: tokens). */
export function readGoogleFailure(error: unknown): GoogleFailure {
  const candidate = error as { status?: unknown; response?: { status?: unknown; data?: unknown }; message?: unknown; code?: unknown };
  const status = typeof candidate?.response?.status === 'number' ? candidate.response.status : typeof candidate?.status === 'number' ? candidate.status : null;
  const data = candidate?.response?.data as { error?: { errors?: { reason?: string; location?: string }[]; message?: string } | string } | undefined;
  const details = typeof data?.error === 'object' ? data.error : undefined;
  const first = details?.errors?.[0];
  return {
    status,
    reason: first?.reason ?? (typeof data?.error === 'string' ? data.error : null),
    message: details?.message ?? (typeof candidate?.message === 'string' ? candidate.message : 'Google request failed'),
    location: first?.location ?? null,
  };
}

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/**
 * Google errors → our provider codes (providers.md A5, A11, A17, A18). Google documents no Retry-After for
 * quota errors, so rate limits carry a jittered backoff we pick; a daily quota waits an hour.
 */
export function translateGoogleError(error: unknown, what: string, attempt = 0): AppError {
  if (error instanceof AppError) return error;
  const failure = readGoogleFailure(error);
  const message = `Google ${what}: ${failure.status ?? 'network error'} ${failure.reason ?? ''}`.trim();
  const options = { cause: error };
  switch (failure.status) {
    case null:
      return new AppError('provider.unavailable', message, { ...options, retryable: true });
    case 400:
      return new AppError('provider.input_invalid', `${message}: ${failure.message}`, { ...options, retryable: false });
    case 401:
      return new AppError('provider.unavailable', `${message} (token refused after a refresh)`, { ...options, retryable: true });
    case 403:
      if (failure.reason && RATE_REASONS.has(failure.reason)) return rateLimited(message, attempt, options);
      if (failure.reason === 'quotaExceeded' || failure.reason === 'dailyLimitExceeded') {
        return new AppError('provider.rate_limited', message, { ...options, retryable: true, retryAfterMs: 3_600_000 });
      }
      return new AppError('provider.input_invalid', `${message}: ${failure.message}`, { ...options, retryable: false });
    case 404:
      return new AppError('provider.not_found', message, { ...options, retryable: false });
    case 409:
      return new AppError('provider.input_invalid', `${message}: ${failure.message}`, { ...options, retryable: false });
    case 410:
      if (failure.reason === 'deleted') return new AppError('provider.not_found', message, { ...options, retryable: false });
      return new AppError('provider.cursor_invalid', message, { ...options, retryable: false });
    case 412:
      return new AppError('provider.precondition_failed', message, { ...options, retryable: false });
    case 429:
      return rateLimited(message, attempt, options);
    default:
      if (failure.status >= 500) return new AppError('provider.unavailable', message, { ...options, retryable: true });
      return new AppError('provider.input_invalid', message, { ...options, retryable: false });
  }
}

function rateLimited(message: string, attempt: number, options: { cause: unknown }): AppError {
  // Exponential backoff with jitter: 30 s, 60 s, 120 s … ≤ 15 min (the SQS retry carries it out).
  return new AppError('provider.rate_limited', message, { ...options, retryable: true, retryAfterMs: backoffDelayMs(attempt, { baseMs: 30_000, capMs: 900_000 }) });
}

/** Worth one quick retry inside the adapter (transient server trouble), before the job-level backoff. */
export function isTransient(error: AppError): boolean {
  return error.code === 'provider.unavailable';
}
