import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';

export interface ReceiverResult {
  status: number | null;
  contentType: string | null;
  body: string;
  latencyMs: number;
  timedOut: boolean;
  error: string | null;
}

/**
 * One POST to a subscriber (validation request or notification batch), with Graph's deadline: an answer
 * slower than `timeoutMs` counts as a failure. Plain `http://` receivers are allowed for local tests; the
 * real Graph only calls `https://` URLs.
 */
export function postToReceiver(url: string, body: string, contentType: string, timeoutMs: number): Promise<ReceiverResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ReceiverResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      finish({ status: null, contentType: null, body: '', timedOut: false, error: `invalid URL ${url}` });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(body),
        'User-Agent': 'Microsoft-Graph-ChangeNotifications (simulator)',
        'client-request-id': randomUUID(),
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish({
        status: response.statusCode ?? null,
        contentType: response.headers['content-type'] ?? null,
        body: Buffer.concat(chunks).toString('utf8'),
        timedOut: false,
        error: null,
      }));
      response.on('error', (error) => finish({ status: response.statusCode ?? null, contentType: null, body: '', timedOut: false, error: error.message }));
    });
    const timer = setTimeout(() => {
      finish({ status: null, contentType: null, body: '', timedOut: true, error: `no answer within ${timeoutMs} ms` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => finish({ status: null, contentType: null, body: '', timedOut: false, error: error.message }));
    request.end(body);
  });
}
