import { AppError } from '../../../domain/app-error.ts';

/**
 * Zoom answers → our `video.*` codes, at the adapter's edge. Zoom's 429 means two different things: the
 * per-second limits (wait for Retry-After and go on) and the per-user daily create/update limit (nothing
 * helps until 00:00 UTC), told apart by `x-ratelimit-type: Daily-limit` or the message.
 */
export interface ZoomFailure {
  status: number;
  code: number | null;
  message: string;
  headers: Headers;
}

const DAILY = /daily/i;

function nextUtcMidnight(nowMs: number): string {
  const day = new Date(nowMs).toISOString().slice(0, 10);
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
}

export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function zoomError(failure: ZoomFailure, nowMs: number): AppError {
  const { status, message, headers } = failure;
  const text = `Zoom: ${message || `HTTP ${status}`}`;
  const details = { status, zoomCode: failure.code };
  if (status === 429) {
    if (headers.get('x-ratelimit-type')?.toLowerCase() === 'daily-limit' || DAILY.test(message)) {
      const wait = retryAfterMs(headers, nowMs);
      const resetAt = wait === undefined ? nextUtcMidnight(nowMs) : new Date(nowMs + wait).toISOString();
      return new AppError('video.quota_exhausted', `${text} (daily meeting quota used up until ${resetAt})`, { retryable: false, details: { ...details, resetAt } });
    }
    const wait = retryAfterMs(headers, nowMs);
    return new AppError('video.rate_limited', text, { retryable: true, ...(wait === undefined ? {} : { retryAfterMs: wait }), details });
  }
  if (status === 401) return new AppError('video.auth_failed', text, { retryable: false, details });
  if (status === 404) return new AppError('video.not_found', text, { retryable: false, details });
  if (status >= 500) return new AppError('video.unavailable', text, { retryable: true, details });
  if (status === 403) return new AppError('video.auth_failed', text, { retryable: false, details });
  return new AppError('video.input_invalid', text, { retryable: false, details });
}

/** A request that never got an answer (reset, timeout): it may or may not have happened at Zoom. */
export function zoomUnreachable(cause: unknown): AppError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new AppError('video.unavailable', `Zoom did not answer: ${message}`, { retryable: true, details: { ambiguous: true }, cause });
}

export async function readZoomFailure(response: Response): Promise<ZoomFailure> {
  const text = await response.text().catch(() => '');
  let code: number | null = null;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; reason?: unknown; error?: unknown };
    if (typeof body.code === 'number') code = body.code;
    if (typeof body.message === 'string') message = body.message;
    else if (typeof body.reason === 'string') message = body.reason;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, code, message, headers: response.headers };
}
