import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../shared/domain/calendar-event.ts';
import { DecodedEventCache } from '../../../shared/storage/decoded-event-cache.ts';
import { eventItem } from '../../../shared/storage/event-item.ts';
import type { StoredItem } from '../../../shared/storage/item-codec.ts';
import { providerEvent, storedFrom } from '../../support/events.ts';

const where = { tenantId: 't-cache', connectionId: 'con-1', calendarId: 'cal-1' };

function master(id: string, rule = 'RRULE:FREQ=WEEKLY'): CalendarEvent {
  return storedFrom(
    providerEvent(`p-${id}`, {
      kind: 'master',
      recurrence: [rule],
      start: { dateTime: '2026-01-05T09:00:00.000Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-01-05T10:00:00.000Z', timeZone: 'Europe/Berlin' },
    }),
    { ...where, id },
  );
}

/** A decoder that counts its calls and builds a fresh event from the item (as the store's decoder does). */
function countingDecoder() {
  const calls: string[] = [];
  const decode = (item: StoredItem): CalendarEvent => {
    calls.push(String(item.id));
    const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g1, gsi1sk: _g2, startUtc: _a, endUtc: _b, ...event } = structuredClone(item);
    return event as unknown as CalendarEvent;
  };
  return { calls, decode };
}

describe('DecodedEventCache', () => {
  it('decodes an item once while it is unchanged, and hands out a frozen event', () => {
    const cache = new DecodedEventCache(10);
    const { calls, decode } = countingDecoder();
    const item = eventItem(master('a'));
    const first = cache.decode(item, decode);
    const again = cache.decode(structuredClone(item), decode);
    expect(again).toBe(first);
    expect(calls).toEqual(['a']);
    expect(first).toMatchObject({ id: 'a', recurrence: ['RRULE:FREQ=WEEKLY'] });
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.recurrence)).toBe(true);
    expect(Object.isFrozen(first.start)).toBe(true);
    expect(() => (first.recurrence as string[]).push('EXDATE:20260112T090000Z')).toThrow(TypeError);
  });

  it('decodes again when the content hash, etag, updated time or connection of the item differ', () => {
    const cache = new DecodedEventCache(10);
    const { calls, decode } = countingDecoder();
    const original = master('a');
    cache.decode(eventItem(original), decode);
    const changedRule = master('a', 'RRULE:FREQ=DAILY');
    expect(changedRule.contentHash).not.toBe(original.contentHash);
    expect(cache.decode(eventItem(changedRule), decode).recurrence).toEqual(['RRULE:FREQ=DAILY']);
    expect(cache.decode(eventItem({ ...changedRule, etag: '"2"' }), decode).etag).toBe('"2"');
    expect(cache.decode(eventItem({ ...changedRule, etag: '"2"', updated: '2026-02-01T00:00:00.000Z' }), decode).updated).toBe('2026-02-01T00:00:00.000Z');
    expect(cache.decode(eventItem({ ...changedRule, etag: '"2"', updated: '2026-02-01T00:00:00.000Z', connectionId: 'con-2' }), decode).connectionId).toBe('con-2');
    expect(calls).toHaveLength(5);
  });

  it('keys by table key: the same event id in another calendar or tenant is another entry', () => {
    const cache = new DecodedEventCache(10);
    const { calls, decode } = countingDecoder();
    const a = master('a');
    cache.decode(eventItem(a), decode);
    cache.decode(eventItem({ ...a, calendarId: 'cal-2' }), decode);
    cache.decode(eventItem({ ...a, tenantId: 't-other' }), decode);
    expect(calls).toHaveLength(3);
    expect(cache.size).toBe(3);
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new DecodedEventCache(2);
    const { calls, decode } = countingDecoder();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => eventItem(master(id)));
    cache.decode(a!, decode);
    cache.decode(b!, decode);
    cache.decode(a!, decode); // a is now the most recent: b goes first
    cache.decode(c!, decode);
    expect(cache.size).toBe(2);
    calls.length = 0;
    cache.decode(a!, decode);
    cache.decode(c!, decode);
    expect(calls).toEqual([]);
    cache.decode(b!, decode);
    expect(calls).toEqual(['b']);
  });

  it('keeps nothing with capacity 0', () => {
    const cache = new DecodedEventCache(0);
    const { calls, decode } = countingDecoder();
    const item = eventItem(master('a'));
    cache.decode(item, decode);
    cache.decode(item, decode);
    expect(calls).toEqual(['a', 'a']);
    expect(cache.size).toBe(0);
  });
});
