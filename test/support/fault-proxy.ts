import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to one request instead of (or before) forwarding it. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Never answers; the socket is closed after `holdMs` (default 30 s) or when the proxy stops. */
  | { kind: 'timeout'; holdMs?: number }
  | { kind: 'delay'; ms: number }
  /** Closes the connection without an answer. */
  | { kind: 'reset' }
  /** Forwards, then changes the upstream answer before the client sees it. */
  | { kind: 'rewrite'; transform: (answer: ProxiedAnswer, request: ProxiedRequest) => ProxiedAnswer };

export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** What the client got (0 for timeouts and resets). */
  status: number;
  /** True when a fault answered instead of the upstream. */
  faulted: boolean;
}

/** A rule decides per request; returning null passes the request on. */
export type FaultRule = (request: ProxiedRequest) => Fault | null;

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it in place of the upstream URL. */
  url: string;
  log: ProxyLogEntry[];
  /** The next `count` requests (optionally only those matching `match`) get `fault`. */
  failNext(count: number, fault: Fault, match?: (request: ProxiedRequest) => boolean): void;
  /** A standing rule, until the returned function removes it. */
  addRule(rule: FaultRule): () => void;
  /** Forget queued faults, rules and the log. */
  reset(): void;
  /** How many requests reached the proxy since the last reset (or since `since`). */
  count(filter?: (entry: ProxyLogEntry) => boolean): number;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a server (Radicale in the CalDAV tests) that injects failures: error
 * statuses (500, 503 with Retry-After, 507…), answers that never come, delays and dropped connections, for
 * the next N requests or by rule. Everything else is forwarded byte for byte.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const queued: { fault: Fault; remaining: number; match?: (request: ProxiedRequest) => boolean }[] = [];
  let rules: FaultRule[] = [];
  const log: ProxyLogEntry[] = [];
  const held = new Set<http.ServerResponse>();

  const pickFault = (request: ProxiedRequest): Fault | null => {
    for (const rule of rules) {
      const fault = rule(request);
      if (fault) return fault;
    }
    const entry = queued.find((q) => q.remaining > 0 && (!q.match || q.match(request)));
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining === 0) queued.splice(queued.indexOf(entry), 1);
    return entry.fault;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, entry: ProxyLogEntry, rewrite?: (answer: ProxiedAnswer) => ProxiedAnswer): void => {
    const upstreamRequest = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upstreamResponse) => {
        entry.status = upstreamResponse.statusCode ?? 502;
        if (!rewrite) {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamResponse.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamResponse.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(upstreamResponse.headers)) if (typeof value === 'string') headers[name] = value;
          delete headers['content-length'];
          const answer = rewrite({ status: entry.status, headers, body: Buffer.concat(chunks).toString('utf8') });
          entry.status = answer.status;
          res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
          res.end(answer.body);
        });
      },
    );
    upstreamRequest.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream failed');
    });
    upstreamRequest.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const request: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') };
      const fault = pickFault(request);
      const entry: ProxyLogEntry = { method: request.method, path: request.path, status: 0, faulted: fault !== null && fault.kind !== 'delay' };
      log.push(entry);
      if (!fault) return forward(req, res, body, entry);
      switch (fault.kind) {
        case 'status':
          entry.status = fault.status;
          res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
          res.end(fault.body ?? `injected ${fault.status}`);
          return;
        case 'delay':
          setTimeout(() => forward(req, res, body, entry), fault.ms);
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'rewrite':
          entry.faulted = true;
          forward(req, res, body, entry, (answer) => fault.transform(answer, request));
          return;
        case 'timeout': {
          held.add(res);
          const timer = setTimeout(() => {
            held.delete(res);
            req.socket.destroy();
          }, fault.holdMs ?? 30_000);
          res.on('close', () => {
            clearTimeout(timer);
            held.delete(res);
          });
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    failNext(count, fault, match) {
      queued.push({ fault, remaining: count, ...(match ? { match } : {}) });
    },
    addRule(rule) {
      rules.push(rule);
      return () => {
        rules = rules.filter((r) => r !== rule);
      };
    },
    reset() {
      queued.length = 0;
      rules = [];
      log.length = 0;
    },
    count(filter) {
      return filter ? log.filter(filter).length : log.length;
    },
    async stop() {
      for (const res of held) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
