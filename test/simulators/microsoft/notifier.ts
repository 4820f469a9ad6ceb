import { postToReceiver, type ReceiverResult } from './receiver-client.ts';

export type DeliveryMode = 'auto' | 'manual';
export type DeliveryKind = 'validation' | 'notification' | 'lifecycle';

export interface DeliveryLogEntry {
  id: number;
  kind: DeliveryKind;
  url: string;
  /** 1 for the first try of these items. */
  attempt: number;
  subscriptionIds: string[];
  /** The JSON body sent, or the validation token. */
  body: unknown;
  /** Receiver's HTTP status; null when it did not answer (timeout, connection refused). */
  status: number | null;
  outcome: 'delivered' | 'failed' | 'timeout' | 'dropped';
  error: string | null;
  /** How long the receiver took to answer. */
  latencyMs: number;
  sentAt: string;
  /** A copy sent on purpose (`duplicateNextNotifications`). */
  duplicate: boolean;
  /** Failed and no retries left. */
  gaveUp: boolean;
}

export interface PendingNotification {
  kind: 'notification' | 'lifecycle';
  url: string;
  subscriptionId: string;
  payload: Record<string, unknown>;
}

interface QueuedItem extends PendingNotification {
  attempts: number;
  dueAtMs: number;
}

export interface NotifierOptions {
  mode: DeliveryMode;
  timeoutMs: number;
  /** Delay before retry n (1-based index n-1); failures beyond the list are given up. */
  retryDelaysMs: number[];
  batchDelayMs: number;
  maxBatchSize: number;
}

/**
 * Delivers change and lifecycle notifications (providers.md items 33–35): items queued together are sent
 * as one `{"value":[…]}` POST per URL; a non-2xx answer or one slower than the deadline is retried after
 * the configured delays. `manual` mode queues until `flush()`, which also retries failures at once, so
 * tests decide exactly when receivers are called.
 */
export class Notifier {
  options: NotifierOptions;
  private queue: QueuedItem[] = [];
  private readonly entries: DeliveryLogEntry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private nextId = 1;
  private dropCount = 0;
  private duplicateCount = 0;
  private reorderCount = 0;
  private stopped = false;

  constructor(options: NotifierOptions) {
    this.options = options;
  }

  setMode(mode: DeliveryMode): void {
    this.options.mode = mode;
    if (mode === 'auto') this.schedule(0);
  }

  dropNext(count: number): void {
    this.dropCount += count;
  }

  duplicateNext(count: number): void {
    this.duplicateCount += count;
  }

  /** The next `count` notifications are sent one by one in reverse order. */
  reorderNext(count: number): void {
    this.reorderCount += count;
  }

  log(): DeliveryLogEntry[] {
    return [...this.entries];
  }

  clearLog(): void {
    this.entries.length = 0;
  }

  pending(): number {
    return this.queue.length;
  }

  enqueue(item: PendingNotification): void {
    if (this.stopped) return;
    this.queue.push({ ...item, attempts: 0, dueAtMs: Date.now() });
    if (this.options.mode === 'auto') this.schedule(this.options.batchDelayMs);
  }

  /** Delivers what is queued (manual: everything, including failed items; auto: what is due) and waits. */
  async flush(): Promise<DeliveryLogEntry[]> {
    const before = this.nextId;
    await this.run(this.options.mode === 'manual');
    return this.entries.filter((entry) => entry.id >= before);
  }

  /** The subscription validation handshake (item 31): 200, text/plain, body exactly the decoded token. */
  async validate(url: string, subscriptionIds: string[], token: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
    const target = new URL(url);
    target.searchParams.append('validationToken', token);
    const result = await postToReceiver(target.toString(), '', 'text/plain; charset=utf-8', timeoutMs);
    const ok = !result.timedOut && result.status === 200 && /^text\/plain\b/i.test(result.contentType ?? '') && result.body === token;
    this.record({ kind: 'validation', url, attempt: 1, subscriptionIds, body: token, duplicate: false, gaveUp: false }, result, ok);
    if (ok) return { ok: true };
    if (result.timedOut) return { ok: false, reason: 'Subscription validation request timed out.' };
    if (result.status !== 200) return { ok: false, reason: `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request (got ${result.status ?? result.error}).` };
    if (!/^text\/plain\b/i.test(result.contentType ?? '')) return { ok: false, reason: 'Subscription validation request failed. Response must have content type text/plain.' };
    return { ok: false, reason: 'Subscription validation request failed. Response must exactly match validationToken query parameter.' };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.chain;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.run(false);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private run(includeNotDue: boolean): Promise<void> {
    this.chain = this.chain.then(() => this.deliverQueued(includeNotDue)).catch(() => undefined);
    return this.chain;
  }

  private async deliverQueued(includeNotDue: boolean): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const due = includeNotDue ? this.queue : this.queue.filter((item) => item.dueAtMs <= now);
    this.queue = includeNotDue ? [] : this.queue.filter((item) => item.dueAtMs > now);
    const reordered: QueuedItem[] = [];
    const duplicates: QueuedItem[] = [];
    const normal: QueuedItem[] = [];
    for (const item of due) {
      if (this.dropCount > 0) {
        this.dropCount--;
        this.record({ kind: item.kind, url: item.url, attempt: item.attempts + 1, subscriptionIds: [item.subscriptionId], body: { value: [item.payload] }, duplicate: false, gaveUp: false }, null, false);
        continue;
      }
      if (this.reorderCount > 0) {
        this.reorderCount--;
        reordered.push(item);
        continue;
      }
      if (this.duplicateCount > 0) {
        this.duplicateCount--;
        duplicates.push(item);
      }
      normal.push(item);
    }
    for (const item of reordered.reverse()) await this.send([item], false);
    for (const batch of this.batches(normal)) await this.send(batch, false);
    for (const item of duplicates) await this.send([item], true);
    // Timers follow libuv's cached loop clock and can fire a little before Date.now() reaches an item's due
    // time; without this, an item found "not yet due" would never be looked at again.
    if (this.options.mode === 'auto' && !includeNotDue && this.queue.length > 0) {
      const earliest = Math.min(...this.queue.map((item) => item.dueAtMs));
      this.schedule(Math.max(1, earliest - Date.now()));
    }
  }

  private batches(items: QueuedItem[]): QueuedItem[][] {
    const byTarget = new Map<string, QueuedItem[]>();
    for (const item of items) {
      const key = `${item.kind} ${item.url}`;
      const list = byTarget.get(key) ?? [];
      list.push(item);
      byTarget.set(key, list);
    }
    const batches: QueuedItem[][] = [];
    for (const list of byTarget.values()) {
      for (let i = 0; i < list.length; i += this.options.maxBatchSize) batches.push(list.slice(i, i + this.options.maxBatchSize));
    }
    return batches;
  }

  private async send(items: QueuedItem[], duplicate: boolean): Promise<void> {
    const first = items[0]!;
    const body = { value: items.map((item) => item.payload) };
    const result = await postToReceiver(first.url, JSON.stringify(body), 'application/json; charset=utf-8', this.options.timeoutMs);
    const ok = !result.timedOut && result.status !== null && result.status >= 200 && result.status < 300;
    const attempt = first.attempts + 1;
    const retry = !ok && !duplicate && attempt <= this.options.retryDelaysMs.length;
    this.record({ kind: first.kind, url: first.url, attempt, subscriptionIds: items.map((i) => i.subscriptionId), body, duplicate, gaveUp: !ok && !duplicate && !retry }, result, ok);
    if (!retry) return;
    const delay = this.options.retryDelaysMs[attempt - 1]!;
    for (const item of items) this.queue.push({ ...item, attempts: attempt, dueAtMs: Date.now() + delay });
    if (this.options.mode === 'auto') this.schedule(delay);
  }

  private record(entry: Omit<DeliveryLogEntry, 'id' | 'status' | 'outcome' | 'error' | 'latencyMs' | 'sentAt'>, result: ReceiverResult | null, ok: boolean): void {
    this.entries.push({
      ...entry,
      id: this.nextId++,
      status: result?.status ?? null,
      outcome: result === null ? 'dropped' : ok ? 'delivered' : result.timedOut ? 'timeout' : 'failed',
      error: result?.error ?? null,
      latencyMs: result?.latencyMs ?? 0,
      sentAt: new Date().toISOString(),
    });
  }
}
