import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A queued answer that replaces the next real one (throttling, outages) in the notification simulators. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Serves `handler` on 127.0.0.1, answering queued faults first. */
export async function serveLoopback(handler: Handler, faults: Fault[], port = 0): Promise<LoopbackServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const fault = faults.shift();
      if (fault) return answer(response, fault.status, fault.body, fault.headers);
      await handler(request, body, response);
    })().catch((error: unknown) => answer(response, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** One message as the simulators saw it on the wire (the local outbox lists these). */
export interface OutboxEntry {
  channel: 'email' | 'sms' | 'slack' | 'whatsapp';
  recipient: string;
  subject: string | null;
  body: string;
  providerMessageId: string;
  at: string;
  /** Attachments (email) by filename with their content. */
  attachments?: { filename: string; contentType: string; content: string }[];
}
