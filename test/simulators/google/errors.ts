/**
 * Google API errors in the exact JSON shape Google answers with (providers.md items 5, 11, 17, 18):
 * `{"error":{"errors":[{"domain","reason","message",…}],"code","message"}}`.
 */
export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
}

export class GoogleApiError extends Error {
  readonly status: number;
  readonly items: GoogleErrorItem[];
  readonly headers: Record<string, string>;

  constructor(status: number, item: GoogleErrorItem, headers: Record<string, string> = {}) {
    super(item.message);
    this.name = 'GoogleApiError';
    this.status = status;
    this.items = [item];
    this.headers = headers;
  }

  get reason(): string {
    return this.items[0]?.reason ?? 'unknown';
  }

  toJSON(): { error: { errors: GoogleErrorItem[]; code: number; message: string } } {
    return { error: { errors: this.items, code: this.status, message: this.message } };
  }
}

const param = (location: string | undefined): Pick<GoogleErrorItem, 'locationType' | 'location'> =>
  location ? { locationType: 'parameter', location } : {};

export const googleErrors = {
  invalid: (message: string, location?: string) => new GoogleApiError(400, { domain: 'global', reason: 'invalid', message, ...param(location) }),
  required: (location: string, message = 'Required') =>
    new GoogleApiError(400, { domain: 'global', reason: 'required', message, ...param(location) }),
  badRequest: (message = 'Bad Request') => new GoogleApiError(400, { domain: 'global', reason: 'badRequest', message }),
  timeRangeEmpty: (location: string) =>
    new GoogleApiError(400, { domain: 'calendar', reason: 'timeRangeEmpty', message: 'The specified time range is empty.', ...param(location) }),
  authError: () =>
    new GoogleApiError(
      401,
      { domain: 'global', reason: 'authError', message: 'Invalid Credentials', locationType: 'header', location: 'Authorization' },
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
    ),
  insufficientPermissions: () =>
    new GoogleApiError(403, { domain: 'global', reason: 'insufficientPermissions', message: 'Request had insufficient authentication scopes.' }),
  forbidden: (message = 'Forbidden') => new GoogleApiError(403, { domain: 'global', reason: 'forbidden', message }),
  notFound: (message = 'Not Found') => new GoogleApiError(404, { domain: 'global', reason: 'notFound', message }),
  duplicate: () => new GoogleApiError(409, { domain: 'global', reason: 'duplicate', message: 'The requested identifier already exists.' }),
  deleted: () => new GoogleApiError(410, { domain: 'global', reason: 'deleted', message: 'Resource has been deleted' }),
  fullSyncRequired: () =>
    new GoogleApiError(410, {
      domain: 'calendar',
      reason: 'fullSyncRequired',
      message: 'Sync token is no longer valid, a full sync is required.',
      locationType: 'parameter',
      location: 'syncToken',
    }),
  conditionNotMet: () =>
    new GoogleApiError(412, { domain: 'global', reason: 'conditionNotMet', message: 'Precondition Failed', locationType: 'header', location: 'If-Match' }),
  payloadTooLarge: () => new GoogleApiError(413, { domain: 'global', reason: 'uploadTooLarge', message: 'Request entity too large' }),
  backendError: (status = 500) =>
    new GoogleApiError(status, { domain: 'global', reason: 'backendError', message: status === 503 ? 'The service is currently unavailable.' : 'Backend Error' }),
};

const USAGE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);
const DEFAULT_MESSAGES: Record<string, string> = {
  rateLimitExceeded: 'Rate Limit Exceeded',
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  quotaExceeded: 'Calendar usage limits exceeded.',
  authError: 'Invalid Credentials',
  backendError: 'Backend Error',
  notFound: 'Not Found',
};

/** An injected failure with Google's domain and default message for the reason. */
export function injectedError(status: number, reason: string | undefined, message: string | undefined, retryAfterSeconds?: number): GoogleApiError {
  const resolvedReason = reason ?? defaultReason(status);
  if (resolvedReason === 'authError' && status === 401 && !message) return googleErrors.authError();
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new GoogleApiError(
    status,
    {
      domain: USAGE_LIMIT_REASONS.has(resolvedReason) ? 'usageLimits' : 'global',
      reason: resolvedReason,
      message: message ?? DEFAULT_MESSAGES[resolvedReason] ?? resolvedReason,
    },
    headers,
  );
}

function defaultReason(status: number): string {
  if (status === 401) return 'authError';
  if (status === 403 || status === 429) return 'rateLimitExceeded';
  if (status === 404) return 'notFound';
  if (status >= 500) return 'backendError';
  return 'badRequest';
}
