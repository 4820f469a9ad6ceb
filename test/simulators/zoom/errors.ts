/**
 * Zoom's error shapes (providers.md §D): the REST API answers `{code, message}` with Zoom's own numeric
 * codes (124 invalid token, 300 validation, 1001 user not found, 3001 meeting not found, 429 rate limits);
 * the OAuth endpoint answers `{reason, error}`.
 */
export class ZoomApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly headers: Record<string, string>;

  constructor(status: number, code: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ZoomApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  toJSON(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

export class ZoomOAuthError extends Error {
  readonly status: number;
  readonly error: string;

  constructor(status: number, error: string, reason: string) {
    super(reason);
    this.name = 'ZoomOAuthError';
    this.status = status;
    this.error = error;
  }

  toJSON(): { reason: string; error: string } {
    return { reason: this.message, error: this.error };
  }
}

export const zoomErrors = {
  invalidToken: () => new ZoomApiError(401, 124, 'Invalid access token.'),
  expiredToken: () => new ZoomApiError(401, 124, 'Access token is expired.'),
  validation: (message: string) => new ZoomApiError(400, 300, message),
  userNotFound: (userId: string) => new ZoomApiError(404, 1001, `User does not exist: ${userId}.`),
  meetingNotFound: (id: string) => new ZoomApiError(404, 3001, `Meeting does not exist: ${id}.`),
  notFound: () => new ZoomApiError(404, 404, 'Not Found'),
  dailyLimit: (limit: number, headers: Record<string, string>) =>
    new ZoomApiError(
      429,
      429,
      `You have exceeded the daily rate limit (${limit}) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.`,
      headers,
    ),
  tooMany: (headers: Record<string, string>) => new ZoomApiError(429, 429, "You have reached the maximum per-second rate limit for this API. Try again later.", headers),
  internal: (status = 500) => new ZoomApiError(status, status, status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
};
