import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZoomApiError, ZoomOAuthError, zoomErrors } from './errors.ts';

/** The request as routes see it: parsed URL, headers and the raw body. */
export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON, a string as-is. */
  body?: unknown;
}

export type Handler = (request: SimRequest) => SimResponse | 'reset';

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_048_576;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function write(response: ServerResponse, result: SimResponse): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload = '';
  if (result.body !== undefined && result.status !== 204) {
    if (typeof result.body === 'string') payload = result.body;
    else {
      payload = JSON.stringify(result.body);
      headers['content-type'] ??= 'application/json;charset=UTF-8';
    }
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  response.writeHead(result.status, headers);
  response.end(payload);
}

export function errorResponse(error: unknown): SimResponse {
  if (error instanceof ZoomApiError || error instanceof ZoomOAuthError) {
    return { status: error.status, headers: error instanceof ZoomApiError ? error.headers : {}, body: error.toJSON() };
  }
  console.error('zoom simulator: unexpected error', error);
  return { status: 500, body: zoomErrors.internal().toJSON() };
}

/** `node:http`, no framework; handlers are synchronous over in-memory state, so requests never interleave. */
export async function startHttpServer(host: string, port: number, handle: Handler, latency: () => number): Promise<RunningServer> {
  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      sleeps.add(entry);
    });
  const server = createServer((incoming, response) => {
    void (async () => {
      const body = await readBody(incoming);
      const delay = latency();
      if (delay > 0) await sleep(delay);
      if (response.destroyed) return;
      let result: SimResponse | 'reset';
      try {
        result = handle({ method: (incoming.method ?? 'GET').toUpperCase(), url: new URL(incoming.url ?? '/', 'http://zoom.invalid'), headers: incoming.headers, body });
      } catch (error) {
        result = errorResponse(error);
      }
      if (result === 'reset') incoming.socket.destroy();
      else write(response, result);
    })().catch((error: unknown) => {
      if (!response.headersSent) write(response, errorResponse(error));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const entry of sleeps) {
          clearTimeout(entry.timer);
          entry.resolve();
        }
        sleeps.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
