import https from 'node:https';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSimulatorCa, startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions, type SimulatorCa } from '../../../simulators/microsoft/index.ts';

/** One CA for all simulator tests of this machine (made once, then reused). */
export function testCa(): SimulatorCa {
  return ensureSimulatorCa(join(tmpdir(), 'calendar-integrations-test-simulator-ca'));
}

export interface TestSimulator {
  sim: GraphSimulator;
  ca: SimulatorCa;
  /** Bearer token of `user` (Calendars.ReadWrite, offline_access). */
  token: string;
  userMail: string;
  call(path: string, init?: CallInit): Promise<CallResult>;
}

export interface CallInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Default: the test user's token; null sends none. */
  token?: string | null;
}

export interface CallResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are inspected freely in tests
}

/** An HTTPS request that trusts only the simulator CA (no process-wide trust needed). */
export function httpsCall(url: string, ca: string, init: Omit<CallInit, 'token'> & { token?: string | null } = {}): Promise<CallResult> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: init.method ?? 'GET', headers, ca, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

export async function startTestSimulator(options: Partial<GraphSimulatorOptions> = {}): Promise<TestSimulator> {
  const ca = testCa();
  const userMail = 'adele@contoso.test';
  const sim = await startGraphSimulator({ tls: ca, autoConsentUser: userMail, ...options });
  const token = sim.issueTokens(userMail).access_token;
  return {
    sim,
    ca,
    token,
    userMail,
    call: (path, init = {}) => {
      const url = path.startsWith('https://') ? path : `${sim.origin}${path}`;
      return httpsCall(url, ca.caCert, { ...init, token: init.token === undefined ? token : init.token });
    },
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Receiver {
  url: string;
  requests: { url: string; headers: http.IncomingHttpHeaders; body: string }[];
  /** Replace how the receiver answers. */
  respond: (handler: ReceiverHandler) => void;
  close(): Promise<void>;
}

export type ReceiverHandler = (req: { url: string; body: string }, res: http.ServerResponse) => void;

/** Answers Graph's validation handshake correctly and everything else with 202, unless told otherwise. */
export const echoValidation: ReceiverHandler = (req, res) => {
  const token = new URL(req.url, 'http://x').searchParams.get('validationToken');
  if (token !== null) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(token);
    return;
  }
  res.writeHead(202);
  res.end();
};

/** A plain-HTTP loopback receiver for notifications (the real Graph calls HTTPS URLs only). */
export async function startReceiver(handler: ReceiverHandler = echoValidation): Promise<Receiver> {
  let current = handler;
  const requests: Receiver['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      current({ url: req.url ?? '', body }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/microsoft`,
    requests,
    respond: (next) => {
      current = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Polls until `check` holds (bounded). */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
