import type { IncomingMessage, ServerResponse } from 'node:http';
import { sandboxSimulators, SANDBOX_GOOGLE_USER } from './sandbox-google.ts';
import { microsoftSandbox, SANDBOX_MICROSOFT_USER } from './sandbox-microsoft.ts';

function reply(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
  response.end(body === undefined ? '' : JSON.stringify(body));
  return true;
}

/**
 * Local-only: act as the sandbox Google user, as if editing the calendar in Google's UI, so the whole
 * change → push → sync → API flow can be tried with curl. Bodies are Google event JSON
 * (`{"summary": "...", "start": {"dateTime": "..."}}`). Never part of a deployed stack.
 */
export async function handleSandboxRoute(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const microsoft = /^\/local\/sandbox\/microsoft\/events(?:\/([^/]+))?$/.exec(url.pathname);
  if (microsoft) return handleMicrosoft(request, body, response, microsoft[1] ? decodeURIComponent(microsoft[1]) : null);
  const match = /^\/local\/sandbox\/google\/events(?:\/([^/]+))?$/.exec(url.pathname);
  if (!match) return false;
  const google = sandboxSimulators.google;
  if (!google) return reply(response, 404, { type: 'about:blank', title: 'Not found', status: 404, detail: 'The Google sandbox is not running (GOOGLE_CLIENT_ID is set).' });
  const calendarId = google.user(SANDBOX_GOOGLE_USER)?.primaryCalendarId ?? SANDBOX_GOOGLE_USER;
  const eventId = match[1] ? decodeURIComponent(match[1]) : null;
  let json: Record<string, unknown> = {};
  if (body.length) {
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(response, 400, { type: 'about:blank', title: 'Invalid request', status: 400, detail: 'body: not valid JSON', errors: [{ field: 'body', message: 'not valid JSON' }] });
    }
  }
  try {
    if (request.method === 'GET' && !eventId) return reply(response, 200, { calendarId, items: google.truth(calendarId) });
    if (request.method === 'POST' && !eventId) return reply(response, 201, google.insertEvent(calendarId, json as never));
    if (request.method === 'PATCH' && eventId) return reply(response, 200, google.patchEvent(calendarId, eventId, json as never));
    if (request.method === 'DELETE' && eventId) {
      google.deleteEvent(calendarId, eventId);
      response.writeHead(204).end();
      return true;
    }
  } catch (error) {
    return reply(response, 400, { type: 'about:blank', title: 'Rejected by the simulator', status: 400, detail: error instanceof Error ? error.message : String(error) });
  }
  return reply(response, 405, { type: 'about:blank', title: 'Method not allowed', status: 405, detail: `${request.method} ${url.pathname}` });
}

function parseJson(body: Buffer): Record<string, unknown> | null {
  if (!body.length) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The same for the sandbox Outlook user; bodies are Microsoft Graph event JSON (`{"subject": "..."}`). */
async function handleMicrosoft(request: IncomingMessage, body: Buffer, response: ServerResponse, eventId: string | null): Promise<boolean> {
  const graph = microsoftSandbox.simulator;
  if (!graph) return reply(response, 404, { type: 'about:blank', title: 'Not found', status: 404, detail: 'The Microsoft sandbox is not running (MICROSOFT_CLIENT_ID is set).' });
  const json = parseJson(body);
  if (json === null) return reply(response, 400, { type: 'about:blank', title: 'Invalid request', status: 400, detail: 'body: not valid JSON', errors: [{ field: 'body', message: 'not valid JSON' }] });
  const calendarId = graph.user(SANDBOX_MICROSOFT_USER).defaultCalendarId;
  try {
    if (request.method === 'GET' && !eventId) {
      const now = Date.now();
      return reply(response, 200, { calendarId, items: graph.truth(calendarId, now - 30 * 86_400_000, now + 365 * 86_400_000) });
    }
    if (request.method === 'POST' && !eventId) return reply(response, 201, graph.createEvent(calendarId, json as never));
    if (request.method === 'PATCH' && eventId) return reply(response, 200, graph.updateEvent(eventId, json as never));
    if (request.method === 'DELETE' && eventId) {
      graph.deleteEvent(eventId);
      response.writeHead(204).end();
      return true;
    }
  } catch (error) {
    return reply(response, 400, { type: 'about:blank', title: 'Rejected by the simulator', status: 400, detail: error instanceof Error ? error.message : String(error) });
  }
  return reply(response, 405, { type: 'about:blank', title: 'Method not allowed', status: 405, detail: `${request.method}` });
}
