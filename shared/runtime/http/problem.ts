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
  'notify.throttled': { status: 503, title: 'The notification provider is throttling us' },
  'notify.unavailable': { status: 502, title: 'The notification provider is unavailable' },
  'notify.recipient_invalid': { status: 422, title: 'The recipient cannot be reached' },
  'notify.suppressed': { status: 422, title: 'The recipient does not receive notifications' },
  'notify.template_rejected': { status: 422, title: 'The message template was rejected' },
  'notify.target_gone': { status: 422, title: 'The notification channel no longer exists' },
  'notify.auth_failed': { status: 502, title: 'The notification provider refused our credentials' },
  'notify.rejected': { status: 422, title: 'The notification provider refused the message' },
  'video.quota_exhausted': { status: 429, title: 'The video provider\'s daily quota is used up' },
  'video.rate_limited': { status: 503, title: 'The video provider is rate limiting us' },
  'video.unavailable': { status: 502, title: 'The video provider is unavailable' },
  'video.auth_failed': { status: 400, title: 'The video provider rejected the credentials' },
  'video.not_found': { status: 404, title: 'Not found at the video provider' },
  'video.input_invalid': { status: 422, title: 'The video provider refused the request' },
  'video.teams_not_allowed': { status: 400, title: 'This mailbox cannot host Teams meetings' },
  'video.connection_missing': { status: 409, title: 'The booking type names a video connection that no longer exists' },
  'request.rate_limited': { status: 429, title: 'Too many requests' },
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
  if ((error.code === 'provider.rate_limited' || error.code === 'request.rate_limited') && error.retryAfterMs) problem.retryAfterSeconds = Math.ceil(error.retryAfterMs / 1000);
  return problem;
}

export function problemResponse(problem: ProblemDetails, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(problem),
  };
}
