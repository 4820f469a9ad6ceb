import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). Any property whose name suggests a secret is replaced before the line
 * is written, at every depth, so a token can never reach a log even when a whole object is logged by
 * mistake. Handlers add the request id; nothing logs headers or bodies wholesale.
 */
const SECRET_KEY = /(token|secret|password|authorization|cookie|verifier|credential|apikey|api_key|signature|clientstate|authcode|authorizationcode)/i;

export function redactSecrets(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'object') return '[redacted]';
  return value;
}

type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

function levelFromEnv(): LogLevel {
  const level = (process.env.LOG_LEVEL ?? 'INFO').toUpperCase();
  return (['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const).find((l) => l === level) ?? 'INFO';
}

export const logger = new Logger({
  serviceName: 'calendar-integrations',
  logLevel: levelFromEnv(),
  jsonReplacerFn: redactSecrets,
});

/** An error as a loggable object: name, code and message, never a provider response body. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), stack: error.stack };
  }
  return { message: String(error) };
}
