import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { AsyncLocalStorage } from 'node:async_hooks';

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

const baseLogger = new Logger({
  serviceName: 'calendar-integrations',
  logLevel: levelFromEnv(),
  jsonReplacerFn: redactSecrets,
});

/** The logger of the invocation running now, when something started one (the local stack: many at once). */
const invocationLogger = new AsyncLocalStorage<Logger>();

/**
 * The one logger every module imports. In Lambda one invocation runs at a time per process, so it is simply
 * the base logger. Where invocations of many functions interleave in one process (the local stack), each
 * runs with a child of its own (withInvocationLogger), so its lines carry its own function name and request
 * id instead of whichever handler set them last.
 */
export const logger: Logger = new Proxy(baseLogger, {
  get(target, property) {
    const current = invocationLogger.getStore() ?? target;
    const value: unknown = Reflect.get(current, property, current);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
  },
});

/** Runs one invocation with a logger of its own carrying the invocation's Lambda context (function name, request id). */
export function withInvocationLogger<T>(context: Context, run: () => Promise<T>): Promise<T> {
  const child = baseLogger.createChild();
  child.addContext(context);
  return invocationLogger.run(child, run);
}

/**
 * A non-HTTP Lambda entry point (queues, schedules, direct invocations) whose lines carry the invocation's
 * context, as the HTTP handlers' do through their middleware. The handler keeps its own signature; Lambda
 * passes the context second.
 */
export function withLambdaContext<A extends unknown[], R>(handle: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const context = args[1] as Partial<Context> | undefined;
    // The local stack's runner has given this invocation a logger of its own already.
    if (invocationLogger.getStore() || !context || typeof context.awsRequestId !== 'string' || typeof context.functionName !== 'string') return handle(...args);
    // Lambda: one invocation at a time. The base logger (its cold start counted once per process) takes the
    // context; keys appended during the invocation are dropped after it, so none leaks into the next.
    baseLogger.addContext(context as Context);
    try {
      return await handle(...args);
    } finally {
      baseLogger.resetKeys();
    }
  };
}

/** An error as a loggable object: name, code and message, never a provider response body. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), stack: error.stack };
  }
  return { message: String(error) };
}
