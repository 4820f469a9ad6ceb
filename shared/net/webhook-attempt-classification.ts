import type { AttemptErrorClass } from '../domain/webhook-delivery.ts';

/** The error class of a response status; null for a 2xx (success). */
export function statusErrorClass(status: number): AttemptErrorClass | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return 'redirect';
  if (status >= 400 && status < 500) return 'http_4xx';
  if (status >= 500 && status < 600) return 'http_5xx';
  return 'http_other';
}

const TLS_CODE = /CERT|TLS|SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/;

/** The error class of a request that got no response (Node's socket, DNS and TLS error codes). */
export function networkErrorClass(error: unknown): AttemptErrorClass {
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  switch (code) {
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'WEBHOOK_TIMEOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return 'dns';
    case 'EADDRNOTALLOWED':
      return 'ssrf_blocked';
    default:
      return TLS_CODE.test(code) ? 'tls' : 'network';
  }
}

/** A short description of a network error for the delivery log (no stack, bounded length). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.slice(0, 200);
}
