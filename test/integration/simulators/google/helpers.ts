import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGoogleSimulator, type GoogleSimulator, type GoogleSimulatorOptions } from '../../../simulators/google/index.ts';

export const ALICE = 'alice@example.com';

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A simulator with Alice (primary calendar in `timeZone`) and a bearer token for her. */
export async function startWithAlice(options: GoogleSimulatorOptions & { timeZone?: string; scope?: string } = {}): Promise<{
  sim: GoogleSimulator;
  token: string;
  api: <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResult<T>>;
}> {
  const sim = await startGoogleSimulator(options);
  sim.createUser({ email: ALICE, name: 'Alice Example', timeZone: options.timeZone ?? 'UTC' });
  const { accessToken } = sim.issueTokens(ALICE, options.scope);
  const api = async <T,>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResult<T>> => {
    const response = await fetch(new URL(path.replace(/^\//, ''), sim.url), {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  };
  return { sim, token: accessToken, api };
}

export const eventsPath = (calendarId: string, query: Record<string, string | number | boolean> = {}): string => {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events${search ? `?${search}` : ''}`;
};

export interface GoogleEventJson {
  id: string;
  status: string;
  etag: string;
  summary?: string;
  start?: { date?: string; dateTime?: string; timeZone?: string };
  end?: { date?: string; dateTime?: string; timeZone?: string };
  recurringEventId?: string;
  originalStartTime?: { date?: string; dateTime?: string; timeZone?: string };
  recurrence?: string[];
  updated?: string;
  [key: string]: unknown;
}

export interface EventsPageJson {
  items: GoogleEventJson[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

export interface ErrorJson {
  error: { errors: { domain: string; reason: string; message: string; location?: string; locationType?: string }[]; code: number; message: string };
}

/** A tiny push receiver on a loopback port that answers with scripted statuses (default 200). */
export interface Receiver {
  url: string;
  received: { headers: IncomingHttpHeaders; body: string; at: number }[];
  /** Statuses for the next requests, in order; afterwards 200. */
  script: number[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const script: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      response.writeHead(script.shift() ?? 200);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/google`,
    received,
    script,
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A controllable clock for token and channel expiry. */
export function manualClock(start: string): { now: () => Date; advance: (ms: number) => void } {
  let current = Date.parse(start);
  return { now: () => new Date(current), advance: (ms) => (current += ms) };
}

export const timed = (start: string, end: string, timeZone?: string) => ({
  start: timeZone ? { dateTime: start, timeZone } : { dateTime: start },
  end: timeZone ? { dateTime: end, timeZone } : { dateTime: end },
});
