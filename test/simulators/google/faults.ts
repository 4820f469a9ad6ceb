import { GoogleApiError } from './errors.ts';

/**
 * Fault injection and request accounting. Every route can be told to fail (before or after it did its
 * work, so "the write happened but the answer was lost" can be tested), to answer slowly, or to hang up;
 * an optional sliding-window quota answers like Google's per-user limit (providers.md item 17).
 */
export type RouteName =
  | 'calendarList.list'
  | 'calendarList.get'
  | 'calendars.get'
  | 'events.list'
  | 'events.get'
  | 'events.insert'
  | 'events.update'
  | 'events.patch'
  | 'events.delete'
  | 'events.move'
  | 'events.instances'
  | 'events.watch'
  | 'channels.stop'
  | 'freebusy.query'
  | 'oauth.authorize'
  | 'oauth.token'
  | 'oauth.revoke'
  | 'oauth.userinfo'
  | 'oauth.tokeninfo'
  | 'oauth.jwks'
  | 'oauth.discovery'
  | 'unknown';

export interface RequestMatcher {
  method?: string;
  /** A substring of, or a pattern tested against, `pathname + search`. */
  pathPattern?: string | RegExp;
  route?: RouteName;
}

export interface FailSpec extends RequestMatcher {
  /** An HTTP status, or `'reset'` to drop the connection without an answer. */
  status: number | 'reset';
  /** Google reason; defaults by status (403/429 `rateLimitExceeded`, 401 `authError`, 5xx `backendError`). */
  reason?: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** Seconds for a `Retry-After` header (Google documents none; off by default). */
  retryAfter?: number;
  /** `before` (default): nothing happens. `after`: the request takes effect, then the answer fails. */
  phase?: 'before' | 'after';
}

export interface LatencySpec extends RequestMatcher {
  ms: number;
  /** How many matching requests are slowed (default: all, until cleared). */
  count?: number;
}

export interface RateLimit {
  perUserPerMinute: number;
  status?: 403 | 429;
}

export interface RequestLogEntry {
  route: RouteName;
  method: string;
  path: string;
  query: Record<string, string>;
  /** `abandoned`: the client hung up while the request was held (it timed out waiting). */
  status: number | 'reset' | 'abandoned';
  at: string;
}

interface Armed<T> {
  spec: T;
  remaining: number;
}

function matches(spec: RequestMatcher, route: RouteName, method: string, target: string): boolean {
  if (spec.route && spec.route !== route) return false;
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.pathPattern instanceof RegExp) return spec.pathPattern.test(target);
  if (typeof spec.pathPattern === 'string') return target.includes(spec.pathPattern);
  return true;
}

export class Faults {
  private failures: Armed<FailSpec>[] = [];
  private latencies: Armed<LatencySpec>[] = [];
  private rateLimit: RateLimit | null = null;
  private readonly windows = new Map<string, number[]>();

  failNext(spec: FailSpec): void {
    this.failures.push({ spec, remaining: spec.count ?? 1 });
  }

  setLatency(spec: LatencySpec | number): void {
    const resolved = typeof spec === 'number' ? { ms: spec } : spec;
    this.latencies.push({ spec: resolved, remaining: resolved.count ?? Number.POSITIVE_INFINITY });
  }

  setRateLimit(limit: RateLimit | null): void {
    this.rateLimit = limit;
    this.windows.clear();
  }

  clear(): void {
    this.failures = [];
    this.latencies = [];
    this.rateLimit = null;
    this.windows.clear();
  }

  /** The armed failure for this request and phase, consuming one use. */
  takeFailure(route: RouteName, method: string, target: string, phase: 'before' | 'after'): FailSpec | null {
    const armed = this.failures.find((a) => a.remaining > 0 && (a.spec.phase ?? 'before') === phase && matches(a.spec, route, method, target));
    if (!armed) return null;
    armed.remaining -= 1;
    this.failures = this.failures.filter((a) => a.remaining > 0);
    return armed.spec;
  }

  takeLatency(route: RouteName, method: string, target: string): number {
    let total = 0;
    for (const armed of this.latencies) {
      if (armed.remaining > 0 && matches(armed.spec, route, method, target)) {
        armed.remaining -= 1;
        total += armed.spec.ms;
      }
    }
    this.latencies = this.latencies.filter((a) => a.remaining > 0);
    return total;
  }

  /** Sliding one-minute window per user; over the limit answers `userRateLimitExceeded`. */
  checkRate(user: string, nowMs: number): GoogleApiError | null {
    if (!this.rateLimit) return null;
    const recent = (this.windows.get(user) ?? []).filter((at) => at > nowMs - 60_000);
    if (recent.length >= this.rateLimit.perUserPerMinute) {
      this.windows.set(user, recent);
      return new GoogleApiError(this.rateLimit.status ?? 403, { domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' });
    }
    recent.push(nowMs);
    this.windows.set(user, recent);
    return null;
  }
}

/** Requests per route, for assertions and benchmarks (`stats.count('events.list')`). */
export class Stats {
  private readonly counts = new Map<RouteName, number>();
  private readonly entries: RequestLogEntry[] = [];
  private readonly maxEntries = 10_000;
  /** Requests received and not yet answered (held by injected latency, for instance). */
  inFlight = 0;

  record(entry: RequestLogEntry): void {
    this.counts.set(entry.route, (this.counts.get(entry.route) ?? 0) + 1);
    if (this.entries.length >= this.maxEntries) this.entries.shift();
    this.entries.push(entry);
  }

  count(route: RouteName): number {
    return this.counts.get(route) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  snapshot(): Partial<Record<RouteName, number>> {
    return Object.fromEntries(this.counts);
  }

  /** The most recent requests (up to 10,000), oldest first. */
  requests(route?: RouteName): RequestLogEntry[] {
    return route ? this.entries.filter((e) => e.route === route) : [...this.entries];
  }

  reset(): void {
    this.counts.clear();
    this.entries.length = 0;
  }
}
