/**
 * At most `limit` requests in flight per mailbox from this process. Outlook allows 4 concurrent requests per
 * app and mailbox and answers the fifth with 429 (providers.md B36), so requests queue here (FIFO) instead
 * of being throttled there. Several calendars of one mailbox synced in one worker share the slots.
 */
export class MailboxSlots {
  private readonly limit: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.active -= 1;
    }
  }
}

export const GRAPH_MAILBOX_CONCURRENCY = 4;

const byMailbox = new Map<string, MailboxSlots>();

/** The process-wide slots of one mailbox (keyed by connection: one connection is one mailbox). */
export function mailboxSlots(mailboxKey: string): MailboxSlots {
  let slots = byMailbox.get(mailboxKey);
  if (!slots) {
    // Bounded: a long-lived worker that has seen many mailboxes forgets idle ones.
    if (byMailbox.size >= 10_000) for (const [key, value] of byMailbox) if (value.inFlight === 0) byMailbox.delete(key);
    slots = new MailboxSlots(GRAPH_MAILBOX_CONCURRENCY);
    byMailbox.set(mailboxKey, slots);
  }
  return slots;
}
