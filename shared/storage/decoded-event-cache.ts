import type { CalendarEvent } from '../domain/calendar-event.ts';
import type { StoredItem } from './item-codec.ts';

interface Entry {
  contentHash: unknown;
  etag: unknown;
  updated: unknown;
  connectionId: unknown;
  event: CalendarEvent;
}

/**
 * Decoded series parts (masters, exceptions, occurrences) of event items, kept across queries of one warm
 * process. Free/busy and availability read every series part of each calendar's range on every query, and
 * validating an item against the event schema costs about as much as the whole numeric projection of the
 * singles (test/bench/free-busy.bench.ts); masters rarely change.
 *
 * An entry is used only while the item read now has the same key, content hash, etag, `updated` and
 * connection as the item it was decoded from: every other field of an event is covered by the content hash
 * or derived from the key, so the cached event equals what decoding this item would give. Cached events are
 * frozen (they are shared by the queries that read them) and evicted least recently used first.
 */
export class DecodedEventCache {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The event of `item`, from the cache when it holds this version of it, else from `decode` (then kept). */
  decode(item: StoredItem, decode: (item: StoredItem) => CalendarEvent): CalendarEvent {
    if (this.#capacity <= 0) return decode(item);
    const key = `${String(item.pk)}\u0000${String(item.sk)}`;
    const cached = this.#entries.get(key);
    if (cached && cached.contentHash === item.contentHash && cached.etag === item.etag && cached.updated === item.updated && cached.connectionId === item.connectionId) {
      // Most recently used last: Map keeps insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached.event;
    }
    const event = deepFreeze(decode(item));
    this.#entries.delete(key);
    this.#entries.set(key, { contentHash: item.contentHash, etag: item.etag, updated: item.updated, connectionId: item.connectionId, event });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return event;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
