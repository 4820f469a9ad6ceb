import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { AppError, isAppError } from '../../domain/app-error.ts';

/** What the call was, so the same HTTP status can mean different things (a 410 only matters on delta). */
export type GraphOperation = 'read' | 'delta' | 'write' | 'delete' | 'subscription';

/** Seconds or an HTTP date in `Retry-After`, as ms; null when absent or unreadable. */
export function retryAfterMsOf(value: string | null | undefined, nowMs = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 30_000;

/**
 * Translates whatever the Graph SDK threw into our provider error codes (the adapter's edge). Graph errors
 * are `{"error":{"code","message","innerError"}}` (providers.md B40); the SDK puts the status, code and
 * response headers on a GraphError. Network failures and timeouts arrive as GraphErrors with status -1.
 */
export function toProviderError(error: unknown, operation: GraphOperation): AppError {
  if (isAppError(error)) return error;
  if (!(error instanceof GraphError)) {
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('provider.unavailable', `Microsoft Graph request failed: ${message}`, { retryable: true, cause: error });
  }
  const status = error.statusCode;
  const code = error.code ?? '';
  const message = `Microsoft Graph ${status} ${code}: ${error.message}`.trim();
  const options = { cause: error, details: { status, graphCode: code } };
  if (status === 401) return new AppError('provider.auth_revoked', message, { ...options, retryable: false });
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.headers?.get('retry-after')) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    return new AppError('provider.rate_limited', message, { ...options, retryable: true, retryAfterMs });
  }
  if (status === 410 && operation === 'delta') return new AppError('provider.cursor_invalid', message, { ...options, retryable: false });
  if (status === 404 || status === 410 || code === 'ErrorInvalidIdMalformed' || code === 'ErrorItemNotFound') {
    return new AppError('provider.not_found', message, { ...options, retryable: false });
  }
  if (status === 409 || status === 412) return new AppError('provider.precondition_failed', message, { ...options, retryable: false });
  if (status === 400 || status === 403 || status === 405 || status === 413 || status === 422) {
    return new AppError('provider.input_invalid', message, { ...options, retryable: false });
  }
  const retryAfterMs = retryAfterMsOf(error.headers?.get('retry-after'));
  return new AppError('provider.unavailable', message, { ...options, retryable: true, ...(retryAfterMs !== null ? { retryAfterMs } : {}) });
}

/**
 * The SDK wraps anything a middleware throws into a GraphError that keeps only the message. Our middleware
 * records its own AppErrors (a dead grant found while refreshing the token, a refresh lock that timed out)
 * in the scope of the call, so the caller gets them back as they were.
 */
const callScope = new AsyncLocalStorage<{ cause?: AppError }>();

export function rememberCallFailure(error: unknown): void {
  const scope = callScope.getStore();
  if (scope && !scope.cause && isAppError(error)) scope.cause = error;
}

/** Runs a Graph call and translates its failure. */
export async function graphCall<T>(operation: GraphOperation, call: () => Promise<T>): Promise<T> {
  const scope: { cause?: AppError } = {};
  try {
    return await callScope.run(scope, call);
  } catch (error) {
    throw scope.cause ?? toProviderError(error, operation);
  }
}
