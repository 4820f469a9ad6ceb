import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AppError, AppErrorCode } from '../../domain/app-error.ts';

/** RFC 9457 problem details, with our `code` and per-field `errors` as extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  /** Each offending input field (`query.start`, `body.eventTypes[0]`) with what is wrong with it. */
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

interface ProblemMapping {
  status: number;
  title: string;
}

const MAPPING: Record<AppErrorCode, ProblemMapping> = {
  'input.invalid': { status: 400, title: 'Invalid request' },
  'auth.unauthenticated': { status: 401, title: 'Authentication required' },
  'auth.forbidden': { status: 403, title: 'Forbidden' },
  'resource.not_found': { status: 404, title: 'Not found' },
  'resource.conflict': { status: 409, title: 'Conflict' },
  'storage.conflict': { status: 409, title: 'Conflict' },
  'provider.auth_revoked': { status: 409, title: 'The calendar account must be reconnected' },
  'provider.rate_limited': { status: 503, title: 'The calendar provider is rate limiting us' },
  'provider.unavailable': { status: 502, title: 'The calendar provider is unavailable' },
  'provider.precondition_failed': { status: 412, title: 'The event changed on the provider' },
  'provider.not_found': { status: 404, title: 'Not found at the calendar provider' },
  'provider.input_invalid': { status: 422, title: 'The calendar provider refused the request' },
  'provider.cursor_invalid': { status: 500, title: 'Internal error' },
  'calendar.read_only': { status: 403, title: 'The calendar is read-only' },
  'idempotency.key_reused': { status: 422, title: 'The Idempotency-Key was used with another request' },
  'idempotency.in_progress': { status: 409, title: 'A request with this Idempotency-Key is still running' },
  'video.provider_unavailable': { status: 400, title: 'The video provider is not available' },
  'booking.slot_unavailable': { status: 409, title: 'The slot is not available' },
  'config.invalid': { status: 500, title: 'Internal error' },
  'internal.unexpected': { status: 500, title: 'Internal error' },
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:calendar-integrations:problem:${code}`;
}

/**
 * The problem an AppError becomes. Like middy's `expose` rule, the message is shown only below 500: server
 * errors say nothing about internals.
 */
export function problemFromAppError(error: AppError, instance?: string): ProblemDetails {
  const mapping = MAPPING[error.code] ?? MAPPING['internal.unexpected'];
  const problem: ProblemDetails = { type: problemType(error.code), title: mapping.title, status: mapping.status, code: error.code };
  if (mapping.status < 500) problem.detail = error.message;
  else problem.detail = 'An unexpected error occurred. It has been logged.';
  if (instance) problem.instance = instance;
  const field = error.details?.field;
  const errors = error.details?.errors;
  if (Array.isArray(errors)) problem.errors = errors as ProblemDetails['errors'];
  else if (typeof field === 'string') problem.errors = [{ field, message: error.message }];
  // Extension members a client acts on: free times near a refused slot, the occurrences that collided.
  if (Array.isArray(error.details?.alternatives)) problem.alternatives = error.details.alternatives;
  if (Array.isArray(error.details?.conflicts)) problem.conflicts = error.details.conflicts;
  if (error.code === 'provider.rate_limited' && error.retryAfterMs) problem.retryAfterSeconds = Math.ceil(error.retryAfterMs / 1000);
  return problem;
}

export function problemResponse(problem: ProblemDetails, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}
