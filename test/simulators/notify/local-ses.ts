import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import { answer, serveLoopback, type Fault, type LoopbackServer, type OutboxEntry } from './http.ts';

/**
 * The local SES: the `aws-ses-v2-local` package (the real SES v2 REST-JSON SendEmail, raw MIME parsed into
 * subject, bodies and attachments), behind a small front that can answer queued faults in SES's own error
 * shape (`x-amzn-errortype` + `{message}`) first. The SDK reaches it through AWS_ENDPOINT_URL_SESV2.
 */
export interface LocalSes extends LoopbackServer {
  /** Emails the local SES stored, oldest first. */
  emails(): Promise<OutboxEntry[]>;
  faults: Fault[];
  throttleNext(): void;
}

type SesLocalServer = (config?: { host?: string; port?: number }) => Promise<Server>;

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string }[];
  at: number;
}

const sesError = (status: number, type: string, message: string): Fault => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` },
  body: JSON.stringify({ message }),
});

export async function startLocalSes(port = 0): Promise<LocalSes> {
  const start = ((sesLocalModule as unknown as { default?: SesLocalServer }).default ?? sesLocalModule) as unknown as SesLocalServer;
  const inner = await start({ host: '127.0.0.1', port: 0 });
  const innerPort = (inner.address() as AddressInfo).port;
  const faults: Fault[] = [];
  const front = await serveLoopback(
    (request, body, response) =>
      new Promise<void>((resolve) => {
        const forward = httpRequest(
          { host: '127.0.0.1', port: innerPort, method: request.method, path: request.url, headers: { ...request.headers, host: `127.0.0.1:${innerPort}` } },
          (upstream) => {
            const chunks: Buffer[] = [];
            upstream.on('data', (c: Buffer) => chunks.push(c));
            upstream.on('end', () => {
              answer(response, upstream.statusCode ?? 502, Buffer.concat(chunks).toString('utf8'), { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') });
              resolve();
            });
          },
        );
        forward.on('error', (error) => {
          answer(response, 502, String(error));
          resolve();
        });
        forward.end(body);
      }),
    faults,
    port,
  );
  return {
    ...front,
    faults,
    throttleNext: () => faults.push(sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.')),
    async emails() {
      const response = await fetch(`http://127.0.0.1:${innerPort}/store`);
      const store = (await response.json()) as { emails: StoredEmail[] };
      return store.emails.map((email) => ({
        channel: 'email' as const,
        recipient: email.destination.to.join(', '),
        subject: email.subject,
        body: email.body.text ?? email.body.html ?? '',
        providerMessageId: email.messageId,
        at: new Date(email.at * 1000).toISOString(),
        attachments: email.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: Buffer.from(a.content, 'base64').toString('utf8') })),
      }));
    },
    async stop() {
      await front.stop();
      await new Promise<void>((resolve) => {
        inner.closeAllConnections?.();
        inner.close(() => resolve());
      });
    },
  };
}
