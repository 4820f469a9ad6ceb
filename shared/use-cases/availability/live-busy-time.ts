import { toAppError } from '../../domain/app-error.ts';
import type { Calendar, TimeRange } from '../../domain/calendar.ts';
import { FLOATING_DATE_SPREAD_MS } from '../../domain/mirrored-window.ts';
import type { CalendarProviderFactory, ProviderBusy } from '../../ports/calendar-provider.ts';
import type { ConnectionStore } from '../../ports/connection-store.ts';

/** Why a part of a calendar's range has no answer: shown per calendar, never as free time. */
export interface BusyTimeError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface LiveBusySettings {
  /** Longest wait for one provider call (an API request must answer within API Gateway's 29 s). */
  timeoutMs: number;
  /** Provider calls in flight per connection (Graph allows 4 per mailbox; Google 600 a minute per user). */
  concurrencyPerConnection: number;
}

export const DEFAULT_LIVE_BUSY_SETTINGS: LiveBusySettings = { timeoutMs: 10_000, concurrencyPerConnection: 4 };

/**
 * Providers place all-day (floating) events in a zone of their own when they filter by range (the calendar's,
 * or the one we asked for), and we may place them in another: asking the spread of two placements more on
 * each side finds an all-day event whose day overlaps the part in any zone. The answer is clipped to the
 * part afterwards.
 */
const FLOATING_PAD_MS = FLOATING_DATE_SPREAD_MS;

export interface LiveBusyDeps {
  providers?: CalendarProviderFactory | undefined;
  connections?: Pick<ConnectionStore, 'get'> | undefined;
  live?: Partial<LiveBusySettings> | undefined;
}

/** One part of a calendar's range read from its provider: the answer, or why there is none. */
export type LivePart = { range: TimeRange; answer: ProviderBusy; error: null } | { range: TimeRange; answer: null; error: BusyTimeError };

export interface LiveRequest {
  calendar: Calendar;
  parts: readonly TimeRange[];
}

function failed(range: TimeRange, error: BusyTimeError): LivePart {
  return { range, answer: null, error };
}

function errorOf(thrown: unknown): BusyTimeError {
  const error = toAppError(thrown);
  return { code: error.code, message: error.message, retryable: error.retryable };
}

/** Runs `task` over `inputs` with at most `limit` in flight; results keep the input order. */
async function runLimited<I, O>(inputs: readonly I[], limit: number, task: (input: I) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await task(inputs[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
  return results;
}

/** `promise`, or a retryable `provider.unavailable` after `ms` (the call goes on unobserved; its result is dropped). */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms} ms`), { timeout: true })), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Asks each calendar's provider for the parts of the query outside its mirrored window (`queryBusy`): one
 * provider per connection, one call per calendar and part, at most `concurrencyPerConnection` in flight per
 * connection (connections in parallel), each with a deadline. A failure is kept per part as a typed error
 * (unreachable, revoked, rate-limited, too slow), so the caller reports that part as unanswered; a
 * connection that needs reauthorization is not called at all.
 */
export async function readLiveBusy(deps: LiveBusyDeps, tenantId: string, requests: readonly LiveRequest[]): Promise<Map<string, LivePart[]>> {
  const settings = { ...DEFAULT_LIVE_BUSY_SETTINGS, ...deps.live };
  const byConnection = new Map<string, LiveRequest[]>();
  for (const request of requests) {
    if (request.parts.length === 0) continue;
    const group = byConnection.get(request.calendar.connectionId);
    if (group) group.push(request);
    else byConnection.set(request.calendar.connectionId, [request]);
  }
  const out = new Map<string, LivePart[]>();
  const failAll = (group: readonly LiveRequest[], error: BusyTimeError): void => {
    for (const { calendar, parts } of group) out.set(calendar.id, parts.map((range) => failed(range, error)));
  };

  await Promise.all(
    [...byConnection].map(async ([connectionId, group]) => {
      const { providers, connections } = deps;
      if (!providers || !connections) {
        failAll(group, { code: 'provider.unavailable', message: 'Live provider reads are not configured in this process', retryable: false });
        return;
      }
      let provider;
      try {
        const connection = await connections.get(tenantId, connectionId);
        if (!connection) {
          failAll(group, { code: 'provider.not_found', message: 'The connection of this calendar no longer exists', retryable: false });
          return;
        }
        if (connection.status === 'reauth_required') {
          failAll(group, { code: 'provider.auth_revoked', message: 'The account must be connected again before its provider can be asked', retryable: false });
          return;
        }
        provider = await providers.forConnection(connection);
      } catch (thrown) {
        failAll(group, errorOf(thrown));
        return;
      }
      const calls = group.flatMap(({ calendar, parts }) => parts.map((range) => ({ calendar, range })));
      const answers = await runLimited(calls, settings.concurrencyPerConnection, async ({ calendar, range }): Promise<LivePart> => {
        try {
          const ref = { providerCalendarId: calendar.providerCalendarId, timeZone: calendar.timeZone };
          const asked = { start: new Date(range.start.getTime() - FLOATING_PAD_MS), end: new Date(range.end.getTime() + FLOATING_PAD_MS) };
          const answer = await withDeadline(provider.queryBusy(ref, asked), settings.timeoutMs, `${calendar.provider} busy query`);
          return { range, answer, error: null };
        } catch (thrown) {
          if (thrown instanceof Error && (thrown as { timeout?: boolean }).timeout) {
            return failed(range, { code: 'provider.unavailable', message: thrown.message, retryable: true });
          }
          return failed(range, errorOf(thrown));
        }
      });
      calls.forEach(({ calendar }, index) => {
        const parts = out.get(calendar.id);
        if (parts) parts.push(answers[index]!);
        else out.set(calendar.id, [answers[index]!]);
      });
    }),
  );
  return out;
}
