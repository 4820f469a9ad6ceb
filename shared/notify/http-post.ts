import { AppError } from '../domain/app-error.ts';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Headers;
}

/** POSTs JSON with a timeout; no answer at all (refused, reset, timed out) is a retryable `notify.unavailable`. */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number, what: string): Promise<HttpAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: (await response.text()).slice(0, 4_096), headers: response.headers };
  } catch (error) {
    throw new AppError('notify.unavailable', `${what}: no answer (${error instanceof Error ? error.name : 'error'})`, { cause: error });
  }
}

/** Retry-After in ms (seconds or an HTTP date), when present and sane. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3_600) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - now, 3_600_000)) : undefined;
}
