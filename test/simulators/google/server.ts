import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleApiError, googleErrors, injectedError } from './errors.ts';
import type { Faults, RouteName, Stats } from './faults.ts';
import { OAuthError, type SimRequest, type SimResponse } from './http-types.ts';

/**
 * The HTTP edge: `node:http`, no framework. Finds the route, counts it, applies injected latency and
 * failures, runs it, and writes Google-shaped errors. Routes are synchronous over in-memory state, so
 * requests never interleave inside a handler.
 */
export interface Route {
  name: RouteName;
  method: string;
  pattern: RegExp;
  handle: (request: SimRequest, params: string[]) => SimResponse;
  /** OAuth routes answer errors as `{error, error_description}`. */
  oauth?: boolean;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: () => Route[];
  faults: Faults;
  stats: Stats;
  now: () => Date;
}

const MAX_BODY_BYTES = 1_048_576;

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function write(response: ServerResponse, result: SimResponse): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload = '';
  if (result.body !== undefined && result.status !== 204 && result.status !== 304) {
    if (typeof result.body === 'string') payload = result.body;
    else {
      payload = JSON.stringify(result.body, null, 1);
      headers['content-type'] ??= 'application/json; charset=UTF-8';
    }
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  response.writeHead(result.status, headers);
  response.end(payload);
}

function errorResponse(error: unknown, oauth: boolean): SimResponse {
  if (error instanceof OAuthError) {
    return { status: error.status, headers: error.headers, body: { error: error.error, error_description: error.message } };
  }
  if (error instanceof GoogleApiError) {
    if (oauth) return { status: error.status, headers: error.headers, body: { error: error.reason, error_description: error.message } };
    return { status: error.status, headers: error.headers, body: error.toJSON() };
  }
  console.error('google simulator: unexpected error', error);
  const backend = googleErrors.backendError(500);
  return { status: 500, body: backend.toJSON() };
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  // Injected latency must not outlive the server: close() ends these sleeps at once.
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

  const handle = async (incoming: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? '/', 'http://simulator.invalid');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const target = url.pathname + url.search;
    const body = await readBody(incoming);
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of options.routes()) {
      const match = candidate.pattern.exec(url.pathname);
      if (match && candidate.method === method) {
        route = candidate;
        params = match.slice(1);
        break;
      }
    }
    const name: RouteName = route?.name ?? 'unknown';
    const query = Object.fromEntries(url.searchParams);
    const finish = (result: SimResponse | 'reset'): void => {
      options.stats.record({ route: name, method, path: url.pathname, query, status: result === 'reset' ? 'reset' : result.status, at: options.now().toISOString() });
      if (result === 'reset') {
        incoming.socket.destroy();
        return;
      }
      write(response, result);
    };

    const delay = options.faults.takeLatency(name, method, target);
    if (delay > 0) {
      await sleep(delay);
      if (response.destroyed || incoming.socket.destroyed) {
        options.stats.record({ route: name, method, path: url.pathname, query, status: 'abandoned', at: options.now().toISOString() });
        return;
      }
    }
    const injected = (phase: 'before' | 'after'): SimResponse | 'reset' | null => {
      const spec = options.faults.takeFailure(name, method, target, phase);
      if (!spec) return null;
      if (spec.status === 'reset') return 'reset';
      return errorResponse(injectedError(spec.status, spec.reason, spec.message, spec.retryAfter), route?.oauth === true);
    };
    const before = injected('before');
    if (before) return finish(before);
    if (!route) return finish(errorResponse(googleErrors.notFound(), false));
    if (body === null) return finish(errorResponse(googleErrors.payloadTooLarge(), route.oauth === true));

    let result: SimResponse;
    try {
      const decoded = params.map((part) => {
        try {
          return decodeURIComponent(part);
        } catch {
          throw googleErrors.badRequest();
        }
      });
      result = route.handle({ method, url, headers: incoming.headers, body }, decoded);
    } catch (error) {
      result = errorResponse(error, route.oauth === true);
    }
    finish(injected('after') ?? result);
  };

  const server = createServer((incoming, response) => {
    options.stats.inFlight += 1;
    handle(incoming, response)
      .catch((error: unknown) => {
        if (!response.headersSent) write(response, errorResponse(error, false));
      })
      .finally(() => {
        options.stats.inFlight -= 1;
      });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
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
