import http from 'node:http';
import https from 'node:https';
import { pinnedLookup, type OutboundPolicy, type Resolver } from '../../net/outbound-url.ts';

export interface CaldavFetchOptions {
  policy: OutboundPolicy;
  /** Whole-request budget (connect, send, answer); the request is aborted after it. */
  timeoutMs: number;
  /** Largest answer body we read; a server sending more is cut off (a hostile server cannot exhaust memory). */
  maxResponseBytes?: number;
  resolver?: Resolver;
}

export type CaldavFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Thrown for transport failures (refused, reset, timeout, refused address); the client turns it into `provider.unavailable`. */
export class CaldavNetworkError extends Error {
  override readonly name = 'CaldavNetworkError';
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

function bodyBytes(body: RequestInit['body']): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('CalDAV requests send strings or bytes only');
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers ?? {}).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * A `fetch` for CalDAV servers named by users: every connection goes through `pinnedLookup`, so the socket
 * reaches exactly the address the outbound policy approved (no private or link-local address in AWS, no
 * DNS rebinding between check and connect). Redirects are not followed (a redirect could point anywhere;
 * discovery follows the one it expects itself). Keep-alive agents are shared by the instances of one process.
 */
export function createCaldavFetch(options: CaldavFetchOptions): CaldavFetch {
  const lookup = pinnedLookup(options.policy, options.resolver);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  return (input, init = {}) => {
    const url = typeof input === 'string' ? new URL(input) : input;
    if (url.protocol !== 'https:' && !(options.policy.allowHttp && url.protocol === 'http:')) {
      return Promise.reject(new CaldavNetworkError(`refused to call ${url.protocol} URL (https only)`, 'EPROTONOTALLOWED'));
    }
    const payload = bodyBytes(init.body);
    const headers = headerRecord(init.headers);
    if (payload) headers['content-length'] = String(payload.length);
    const secure = url.protocol === 'https:';
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (error: CaldavNetworkError): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const request = (secure ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers, lookup: lookup as never, agent: secure ? httpsAgent : httpAgent },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy();
              fail(new CaldavNetworkError(`answer larger than ${maxBytes} bytes`, 'ETOOLARGE'));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error) => fail(new CaldavNetworkError(error.message, 'ERESPONSE', error)));
          response.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const status = response.statusCode ?? 502;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (value === undefined) continue;
              for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
            }
            const body = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD' ? null : Buffer.concat(chunks);
            const safeStatus = status >= 200 && status <= 599 ? status : 502;
            resolve(new Response(body, { status: safeStatus, statusText: response.statusMessage ?? '', headers: responseHeaders }));
          });
        },
      );
      const timer = setTimeout(() => {
        request.destroy();
        fail(new CaldavNetworkError(`no answer within ${options.timeoutMs} ms`, 'ETIMEDOUT'));
      }, options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(new CaldavNetworkError(error.message, error.code ?? 'ENETWORK', error));
      });
      if (payload) request.end(payload);
      else request.end();
    });
  };
}
