import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimRequest, SimResponse } from './http-types.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

function decodePath(pathname: string): string {
  return pathname.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }).join('/');
}

async function readRequest(message: IncomingMessage): Promise<SimRequest | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  const url = new URL(message.url ?? '/', 'https://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.headers)) if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: (message.method ?? 'GET').toUpperCase(),
    path: decodePath(url.pathname),
    rawPath: url.pathname,
    query: url.searchParams,
    headers,
    bodyText: Buffer.concat(chunks).toString('utf8'),
  };
}

function writeResponse(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let body: string | undefined;
  if (response.json !== undefined && response.status !== 204) {
    body = JSON.stringify(response.json);
    headers['Content-Type'] ??= JSON_TYPE;
  } else if (response.text !== undefined && response.status !== 204) {
    body = response.text;
    headers['Content-Type'] ??= 'text/plain; charset=utf-8';
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers);
  res.end(body);
}

/** The HTTPS listener: turns sockets into `SimRequest`s for the dispatcher and writes its answers back. */
export async function startHttpsServer(
  tls: { key: string; cert: string },
  host: string,
  port: number,
  handle: (request: SimRequest) => Promise<SimResponse>,
): Promise<RunningServer> {
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void (async () => {
      try {
        const request = await readRequest(req);
        if (!request) {
          writeResponse(res, { status: 413, json: { error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } } });
          return;
        }
        writeResponse(res, await handle(request));
      } catch (error) {
        if (!res.headersSent) writeResponse(res, { status: 500, json: { error: { code: 'InternalServerError', message: `Simulator error: ${(error as Error).message}` } } });
        else res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
