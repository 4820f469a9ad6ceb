import http from 'node:http';
import https from 'node:https';
import { isAppError } from '../domain/app-error.ts';
import { pinnedLookup, type OutboundPolicy, type Resolver } from './outbound-url.ts';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../ports/webhook-sender.ts';
import { describeNetworkError, networkErrorClass, statusErrorClass } from './webhook-attempt-classification.ts';
import { RESPONSE_BODY_LIMIT_BYTES } from '../domain/webhook-delivery.ts';
import { assertWebhookUrl, httpLoopbackResolver, systemResolver } from './webhook-url-policy.ts';

/** Response bytes read (and discarded beyond the 1 KB kept) before the connection is dropped instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

export interface NodeWebhookSenderOptions {
  policy: OutboundPolicy;
  resolver?: Resolver;
}

/**
 * Webhook attempts over `node:http`/`node:https`: the URL is checked against the policy right before the
 * attempt (after DNS resolution) and the socket connects only to an address that passed the same check
 * (`pinnedLookup`), so a rebinding name cannot slip a private address in between. Redirects are never
 * followed (a 3xx is a failure). One timeout bounds the whole exchange. Connections are kept alive between
 * attempts to the same host.
 */
export class NodeWebhookSender implements WebhookSender {
  readonly #policy: OutboundPolicy;
  readonly #resolver: Resolver;
  readonly #httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' });

  constructor(options: NodeWebhookSenderOptions) {
    this.#policy = options.policy;
    this.#resolver = options.resolver ?? systemResolver;
  }

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    let url: URL;
    try {
      url = await assertWebhookUrl(request.url, this.#policy, 'url', this.#resolver);
    } catch (error) {
      const dns = isAppError(error) && error.cause !== undefined;
      return noResponse(dns ? 'dns' : 'ssrf_blocked', isAppError(error) ? error.message : describeNetworkError(error), elapsed());
    }
    const secure = url.protocol === 'https:';
    const resolver = secure ? this.#resolver : httpLoopbackResolver(this.#resolver);
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      let statusCode: number | null = null;
      let latencyMs = 0;
      let retryAfter: string | null = null;
      const kept: Buffer[] = [];
      let keptBytes = 0;

      const finish = (result: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const finishWithResponse = () =>
        finish({
          statusCode,
          latencyMs,
          errorClass: statusErrorClass(statusCode!),
          error: null,
          responseBody: keptBytes > 0 ? Buffer.concat(kept).toString('utf8') : null,
          retryAfter,
        });

      const body = Buffer.from(request.body, 'utf8');
      const outgoing = (secure ? https : http).request(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(body.length) },
        agent: secure ? this.#httpsAgent : this.#httpAgent,
        lookup: pinnedLookup(this.#policy, resolver) as unknown as http.RequestOptions['lookup'],
      });
      const timer = setTimeout(() => {
        // A response whose status arrived in time counts by its status even if its body is slow.
        if (statusCode !== null) finishWithResponse();
        else finish(noResponse('timeout', `no response within ${request.timeoutMs} ms`, elapsed()));
        outgoing.destroy(Object.assign(new Error('webhook attempt timed out'), { code: 'WEBHOOK_TIMEOUT' }));
      }, request.timeoutMs);

      outgoing.on('response', (response) => {
        statusCode = response.statusCode ?? 0;
        latencyMs = elapsed();
        const header = response.headers['retry-after'];
        retryAfter = typeof header === 'string' ? header : null;
        let seen = 0;
        response.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (keptBytes < RESPONSE_BODY_LIMIT_BYTES) {
            const part = chunk.subarray(0, RESPONSE_BODY_LIMIT_BYTES - keptBytes);
            kept.push(part);
            keptBytes += part.length;
          }
          if (seen > DRAIN_LIMIT_BYTES) {
            finishWithResponse();
            response.destroy();
          }
        });
        response.on('end', finishWithResponse);
        response.on('error', finishWithResponse);
        response.on('close', finishWithResponse);
      });
      outgoing.on('error', (error) => {
        if (statusCode !== null) finishWithResponse();
        else finish(noResponse(networkErrorClass(error), describeNetworkError(error), elapsed()));
      });
      outgoing.end(body);
    });
  }

  /** Closes kept-alive connections (tests, benchmarks). */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

function noResponse(errorClass: WebhookResponse['errorClass'], error: string, latencyMs: number): WebhookResponse {
  return { statusCode: null, latencyMs, errorClass, error, responseBody: null, retryAfter: null };
}
