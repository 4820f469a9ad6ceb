import { createHash } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GoogleApiError, googleErrors } from './errors.ts';
import { seededRandom } from './prng.ts';

/**
 * Push channels (providers.md items 12–16). `events.watch` answers with the channel and a `sync` message
 * (number 1) follows at once; then one empty-bodied POST per change with the `X-Goog-*` headers and
 * increasing, gapped message numbers. 500/502/503/504 (and network errors) are retried with backoff a few
 * times; other statuses end that message. Channels expire and cannot be renewed.
 *
 * Unlike Google, plain `http://` addresses are accepted when they point at loopback (tests and the local
 * stack run receivers on 127.0.0.1); any other address must be `https://`.
 */
export interface PushOptions {
  mode: 'auto' | 'manual';
  /** Waits before each retry; its length is the number of retries (so attempts = length + 1). */
  retryDelaysMs: number[];
  timeoutMs: number;
  /** Longest lifetime a channel gets (seconds); null = whatever `params.ttl` asks. */
  maxTtlSeconds: number | null;
  apiRootUrl: string;
  now: () => Date;
  seed: number;
}

export interface WatchRequestBody {
  id?: unknown;
  type?: unknown;
  address?: unknown;
  token?: unknown;
  params?: { ttl?: unknown } | null;
}

export interface ChannelInfo {
  id: string;
  resourceId: string;
  resourceUri: string;
  calendarId: string;
  address: string;
  token: string | null;
  expiration: number;
  stopped: boolean;
}

interface Channel extends ChannelInfo {
  lastNumber: number;
  queue: { number: number; state: 'sync' | 'exists' }[];
  pumping: Promise<void> | null;
}

export interface PushDelivery {
  channelId: string;
  resourceId: string;
  messageNumber: number;
  state: 'sync' | 'exists';
  attempt: number;
  /** The receiver's status code; null when the request failed (refused, timed out) or was never sent. */
  status: number | null;
  outcome: 'delivered' | 'retrying' | 'failed' | 'dropped' | 'expired';
  duplicate: boolean;
  error?: string;
  at: string;
}

const SUCCESS = new Set([102, 200, 201, 202, 204]);
const RETRIED = new Set([500, 502, 503, 504]);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const MAX_LOG = 20_000;

export class PushHub {
  readonly options: PushOptions;
  readonly log: PushDelivery[] = [];
  private readonly channels = new Map<string, Channel>();
  private readonly random: () => number;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly requests = new Set<ClientRequest>();
  private drops = 0;
  private duplicates = 0;
  private closed = false;

  constructor(options: PushOptions) {
    this.options = options;
    this.random = seededRandom(options.seed);
  }

  setMode(mode: 'auto' | 'manual'): void {
    this.options.mode = mode;
    if (mode === 'auto') for (const channel of this.channels.values()) this.pump(channel);
  }

  dropNext(count: number): void {
    this.drops += count;
  }

  duplicateNext(count: number): void {
    this.duplicates += count;
  }

  list(): ChannelInfo[] {
    return [...this.channels.values()].map(({ id, resourceId, resourceUri, calendarId, address, token, expiration, stopped }) => ({
      id, resourceId, resourceUri, calendarId, address, token, expiration, stopped,
    }));
  }

  watch(calendarId: string, body: WatchRequestBody): Record<string, string> {
    const id = body.id;
    if (typeof id !== 'string' || id.length === 0) throw googleErrors.required('id');
    if (id.length > 64 || !/^[A-Za-z0-9\-_+/=]+$/.test(id)) throw googleErrors.invalid('Invalid channel id.', 'id');
    const existing = this.channels.get(id);
    if (existing && !existing.stopped && existing.expiration > this.nowMs()) {
      throw new GoogleApiError(400, { domain: 'global', reason: 'channelIdNotUnique', message: `Channel id ${id} not unique` });
    }
    if (body.type !== 'web_hook' && body.type !== 'webhook') throw googleErrors.invalid(`Unsupported channel type: ${String(body.type)}`, 'type');
    const address = typeof body.address === 'string' ? body.address : '';
    if (!isAcceptableAddress(address)) {
      throw new GoogleApiError(400, { domain: 'global', reason: 'push.webhookUrlNotHttps', message: `WebHook callback must be HTTPS: ${address}` });
    }
    if (body.token !== undefined && body.token !== null && (typeof body.token !== 'string' || body.token.length > 256)) throw googleErrors.invalid('Invalid channel token.', 'token');
    const ttlText = body.params?.ttl;
    const ttl = ttlText === undefined || ttlText === null ? 604_800 : Number(ttlText);
    if (!Number.isInteger(ttl) || ttl < 1) throw googleErrors.invalid('Invalid ttl.', 'params.ttl');
    const lifetime = this.options.maxTtlSeconds === null ? ttl : Math.min(ttl, this.options.maxTtlSeconds);
    const channel: Channel = {
      id,
      resourceId: createHash('sha256').update(`events/${calendarId}`).digest('base64url').slice(0, 27),
      resourceUri: `${this.options.apiRootUrl}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      calendarId,
      address,
      token: typeof body.token === 'string' ? body.token : null,
      expiration: this.nowMs() + lifetime * 1000,
      stopped: false,
      lastNumber: 0,
      queue: [],
      pumping: null,
    };
    this.channels.set(id, channel);
    this.enqueue(channel, 'sync');
    return {
      kind: 'api#channel',
      id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      ...(channel.token !== null ? { token: channel.token } : {}),
      expiration: String(channel.expiration),
    };
  }

  stop(body: { id?: unknown; resourceId?: unknown }): void {
    const channel = typeof body.id === 'string' ? this.channels.get(body.id) : undefined;
    if (!channel || channel.stopped || channel.resourceId !== body.resourceId) {
      throw googleErrors.notFound(`Channel '${String(body.id)}' not found for project 'simulator'`);
    }
    channel.stopped = true;
    channel.queue.length = 0;
  }

  /** One change on a calendar: one `exists` message on each of its live channels. */
  notify(calendarId: string): void {
    for (const channel of this.channels.values()) {
      if (channel.calendarId === calendarId && this.isLive(channel)) this.enqueue(channel, 'exists');
    }
  }

  /** Messages queued and not yet handed to a delivery (manual mode holds them here until flushed). */
  queuedCount(): number {
    let count = 0;
    for (const channel of this.channels.values()) count += channel.queue.length;
    return count;
  }

  /** Delivers everything queued (manual mode) and waits until no delivery is in flight. */
  async flush(order: 'queued' | 'reversed' = 'queued'): Promise<void> {
    // Google does not promise order (message numbers say it): `reversed` sends the newest first.
    if (order === 'reversed') for (const channel of this.channels.values()) channel.queue.reverse();
    for (const channel of this.channels.values()) this.pump(channel);
    await this.idle();
  }

  async idle(): Promise<void> {
    for (let round = 0; round < 1_000; round += 1) {
      const running = [...this.channels.values()].map((channel) => channel.pumping).filter((p): p is Promise<void> => p !== null);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  close(): void {
    this.closed = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
    for (const request of this.requests) request.destroy();
    this.requests.clear();
  }

  private nowMs(): number {
    return this.options.now().getTime();
  }

  private isLive(channel: Channel): boolean {
    return !channel.stopped && channel.expiration > this.nowMs();
  }

  private enqueue(channel: Channel, state: 'sync' | 'exists'): void {
    // Message numbers increase but are not consecutive (providers.md item 14).
    channel.lastNumber = state === 'sync' ? 1 : channel.lastNumber + 2 + Math.floor(this.random() * 4);
    channel.queue.push({ number: channel.lastNumber, state });
    if (this.options.mode === 'auto') this.pump(channel);
  }

  private pump(channel: Channel): void {
    if (channel.pumping || this.closed) return;
    channel.pumping = (async () => {
      await Promise.resolve(); // let the watch reply or the write's answer go first
      while (channel.queue.length > 0 && !this.closed) {
        const message = channel.queue.shift() as { number: number; state: 'sync' | 'exists' };
        if (!this.isLive(channel)) {
          this.record(channel, message, 0, null, 'expired', false);
          continue;
        }
        if (this.drops > 0) {
          this.drops -= 1;
          this.record(channel, message, 0, null, 'dropped', false);
          continue;
        }
        await this.deliver(channel, message, false);
        if (this.duplicates > 0) {
          this.duplicates -= 1;
          await this.deliver(channel, message, true);
        }
      }
    })().finally(() => {
      channel.pumping = null;
      // A message queued between the loop's last check and here would otherwise wait for the next change.
      if (channel.queue.length > 0 && this.options.mode === 'auto') this.pump(channel);
    });
  }

  private async deliver(channel: Channel, message: { number: number; state: 'sync' | 'exists' }, duplicate: boolean): Promise<void> {
    const attempts = this.options.retryDelaysMs.length + 1;
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt += 1) {
      const { status, error } = await this.send(channel, message);
      const retriable = status === null || RETRIED.has(status);
      const outcome = status !== null && SUCCESS.has(status) ? 'delivered' : retriable && attempt < attempts ? 'retrying' : 'failed';
      this.record(channel, message, attempt, status, outcome, duplicate, error);
      if (outcome !== 'retrying') return;
      await this.sleep(this.options.retryDelaysMs[attempt - 1] ?? 0);
    }
  }

  private send(channel: Channel, message: { number: number; state: 'sync' | 'exists' }): Promise<{ status: number | null; error?: string }> {
    const headers: Record<string, string> = {
      'content-length': '0',
      'user-agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
      'x-goog-channel-id': channel.id,
      'x-goog-message-number': String(message.number),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-state': message.state,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
    };
    if (channel.token !== null) headers['x-goog-channel-token'] = channel.token;
    const send = channel.address.startsWith('https:') ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const request = send(channel.address, { method: 'POST', headers, agent: false, timeout: this.options.timeoutMs }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? null }));
        response.on('error', () => resolve({ status: response.statusCode ?? null }));
      });
      this.requests.add(request);
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', (error) => resolve({ status: null, error: error.message }));
      request.on('close', () => this.requests.delete(request));
      request.end();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private record(
    channel: Channel,
    message: { number: number; state: 'sync' | 'exists' },
    attempt: number,
    status: number | null,
    outcome: PushDelivery['outcome'],
    duplicate: boolean,
    error?: string,
  ): void {
    if (this.log.length >= MAX_LOG) this.log.shift();
    this.log.push({
      channelId: channel.id,
      resourceId: channel.resourceId,
      messageNumber: message.number,
      state: message.state,
      attempt,
      status,
      outcome,
      duplicate,
      ...(error ? { error } : {}),
      at: this.options.now().toISOString(),
    });
  }
}

function isAcceptableAddress(address: string): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}
