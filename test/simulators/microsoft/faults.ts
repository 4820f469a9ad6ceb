/** A scripted failure: the next `count` matching requests answer `status` with `code` instead of running. */
export interface FailRule {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Substring of, or RegExp over, the request path (e.g. `/calendarView/delta`, `/oauth2/v2.0/token`). */
  pathPattern?: string | RegExp;
  status: number;
  /** Graph error code (identity paths: the OAuth `error`); a usual one per status when absent. */
  code?: string;
  message?: string;
  /** Default 1. */
  count?: number;
  retryAfterSeconds?: number;
  /** `before` (default): the request does nothing. `after`: it takes effect, then the answer is this failure (a lost answer). */
  phase?: 'before' | 'after';
}

export interface LatencyRule {
  ms: number;
  /** Adds a random 0..jitterMs. */
  jitterMs?: number;
  pathPattern?: string | RegExp;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'ErrorAccessDenied',
  404: 'ErrorItemNotFound',
  409: 'ErrorIrresolvableConflict',
  412: 'ErrorIrresolvableConflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceNotAvailable',
  504: 'GatewayTimeout',
};

function matches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path);
}

export class FaultInjector {
  private rules: (FailRule & { remaining: number })[] = [];
  private latencyRules: LatencyRule[] = [];

  failNext(rule: FailRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? 1 });
  }

  setLatency(rule: LatencyRule | null): void {
    this.latencyRules = rule ? [rule] : [];
  }

  addLatency(rule: LatencyRule): void {
    this.latencyRules.push(rule);
  }

  clear(): void {
    this.rules = [];
    this.latencyRules = [];
  }

  /** The first matching armed rule (consumed), with its default code filled in. */
  take(method: string, path: string, phase: 'before' | 'after' = 'before'): (FailRule & { code: string; message: string }) | null {
    const index = this.rules.findIndex((rule) => (rule.phase ?? 'before') === phase && (!rule.method || rule.method.toUpperCase() === method) && matches(rule.pathPattern, path));
    if (index < 0) return null;
    const rule = this.rules[index]!;
    if (--rule.remaining <= 0) this.rules.splice(index, 1);
    const code = rule.code ?? DEFAULT_CODES[rule.status] ?? 'UnknownError';
    return { ...rule, code, message: rule.message ?? `Simulated failure (${rule.status} ${code}).` };
  }

  latencyFor(path: string): number {
    let total = 0;
    for (const rule of this.latencyRules) if (matches(rule.pathPattern, path)) total += rule.ms + Math.floor(Math.random() * (rule.jitterMs ?? 0));
    return total;
  }
}

export interface LimiterOptions {
  /** Concurrent requests per app and mailbox (Outlook: 4). */
  concurrency: number;
  /** Requests per app and mailbox in any 10 minutes (Outlook: 10,000). */
  requestsPer10Minutes: number;
  retryAfterSeconds: number;
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; retryAfterSeconds: number; message: string };

const TEN_MINUTES_MS = 600_000;

/**
 * Outlook's per-mailbox limits (providers.md item 36): a request beyond 4 in flight, or beyond 10,000 in a
 * sliding 10 minutes, is refused with 429 `ApplicationThrottled` and `Retry-After`.
 */
export class MailboxLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly recent = new Map<string, { times: number[]; head: number }>();
  options: LimiterOptions;

  constructor(options: LimiterOptions) {
    this.options = options;
  }

  admit(key: string, nowMs: number): Admission {
    const active = this.inFlight.get(key) ?? 0;
    if (active >= this.options.concurrency) {
      return { admitted: false, retryAfterSeconds: this.options.retryAfterSeconds, message: 'Application is over its MailboxConcurrency limit.' };
    }
    let window = this.recent.get(key);
    if (!window) {
      window = { times: [], head: 0 };
      this.recent.set(key, window);
    }
    while (window.head < window.times.length && window.times[window.head]! <= nowMs - TEN_MINUTES_MS) window.head++;
    if (window.head > 1024) {
      window.times = window.times.slice(window.head);
      window.head = 0;
    }
    if (window.times.length - window.head >= this.options.requestsPer10Minutes) {
      const retryAfter = Math.max(1, Math.ceil((window.times[window.head]! + TEN_MINUTES_MS - nowMs) / 1000));
      return { admitted: false, retryAfterSeconds: retryAfter, message: 'Application is over its MailboxRequests limit.' };
    }
    window.times.push(nowMs);
    this.inFlight.set(key, active + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      },
    };
  }
}
