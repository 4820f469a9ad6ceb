import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InProcessOneTimeScheduler } from '../../shared/messaging/in-process-one-time-scheduler.ts';
import type { LocalClock } from './local-clock.ts';

/** At most a year ahead per call: enough for any reminder, small enough to be a typo guard. */
const MAX_ADVANCE_SECONDS = 366 * 86_400;

function reply(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
  return true;
}

function invalid(response: ServerResponse, field: string, message: string): true {
  return reply(response, 400, { type: 'about:blank', title: 'Invalid request', status: 400, detail: `${field}: ${message}`, errors: [{ field, message }] });
}

/**
 * Local-only time controls: `GET /local/clock` (the handlers' time and how far it was moved ahead),
 * `POST /local/clock {"advanceSeconds": n}` (move it ahead and fire every timer that became due, before
 * answering), `GET /local/timers` (pending booking timers, soonest first). Never part of a deployed stack.
 */
export async function handleTimeRoute(request: IncomingMessage, body: Buffer, response: ServerResponse, context: { clock: LocalClock; timers: InProcessOneTimeScheduler }): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const { clock, timers } = context;
  const state = () => ({ now: clock.now().toISOString(), offsetSeconds: Math.round(clock.offsetMs / 1000), pendingTimers: timers.pending().length });
  if (url.pathname === '/local/timers') {
    if (request.method !== 'GET') return reply(response, 405, { type: 'about:blank', title: 'Method not allowed', status: 405, detail: String(request.method) });
    return reply(response, 200, { now: clock.now().toISOString(), items: timers.pending() });
  }
  if (request.method === 'GET') return reply(response, 200, state());
  if (request.method !== 'POST') return reply(response, 405, { type: 'about:blank', title: 'Method not allowed', status: 405, detail: String(request.method) });
  let input: { advanceSeconds?: unknown };
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as { advanceSeconds?: unknown };
  } catch {
    return invalid(response, 'body', 'not valid JSON');
  }
  const seconds = input.advanceSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_ADVANCE_SECONDS) return invalid(response, 'body.advanceSeconds', `a number of seconds from 0 to ${MAX_ADVANCE_SECONDS}`);
  clock.advance(seconds * 1000);
  const fired = await timers.runDue();
  return reply(response, 200, { ...state(), fired });
}
