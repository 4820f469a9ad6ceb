import type { IncomingHttpHeaders } from 'node:http';

/** The request as routes see it: parsed URL, headers and the raw body. */
export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a route answers; an object body is sent as JSON, a string as-is (with its content type). */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** OAuth endpoints answer errors as `{error, error_description}` (RFC 6749 §5.2), not in the API shape. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly headers: Record<string, string>;

  constructor(status: number, error: string, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.headers = headers;
  }
}

export function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function formBody(request: SimRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString('utf8'));
}

export function bearerToken(request: SimRequest): string | null {
  const authorization = header(request, 'authorization');
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1] ?? request.url.searchParams.get('access_token') ?? request.url.searchParams.get('oauth_token');
}
