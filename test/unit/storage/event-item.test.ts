import { describe, expect, it } from 'vitest';
import { eventTimeIndex } from '../../../shared/storage/event-item.ts';
import { allDay, event, timed } from '../../integration/storage/builders.ts';

describe('eventTimeIndex', () => {
  it('indexes timed events by their UTC start', () => {
    expect(eventTimeIndex(event('t', 'c', 'e1', timed('2025-03-10T10:00:00+02:00', '2025-03-10T11:00:00+02:00')))).toEqual({
      gsi1sk: 'S#2025-03-10T08:00:00.000Z#e1',
      startUtc: '2025-03-10T08:00:00.000Z',
      endUtc: '2025-03-10T09:00:00.000Z',
    });
  });

  it('widens all-day dates by 14 hours each side so every zone from UTC−12 to UTC+14 is covered', () => {
    expect(eventTimeIndex(event('t', 'c', 'd', allDay('2025-12-31', '2026-01-01')))).toEqual({
      gsi1sk: 'S#2025-12-30T10:00:00.000Z#d',
      startUtc: '2025-12-30T10:00:00.000Z',
      endUtc: '2026-01-01T14:00:00.000Z',
    });
  });

  it('puts masters and events longer than 14 days under X#', () => {
    expect(eventTimeIndex(event('t', 'c', 'm', { kind: 'master', recurrence: ['RRULE:FREQ=DAILY'] }))).toEqual({ gsi1sk: 'X#m' });
    expect(eventTimeIndex(event('t', 'c', 'exact', timed('2025-03-01T00:00:00.000Z', '2025-03-15T00:00:00.000Z'))).gsi1sk).toBe(
      'S#2025-03-01T00:00:00.000Z#exact',
    );
    expect(eventTimeIndex(event('t', 'c', 'long', timed('2025-03-01T00:00:00.000Z', '2025-03-15T00:00:00.001Z'))).gsi1sk).toBe('X#long');
    // 13 all-day dates plus the 28 h widening exceed 14 days.
    expect(eventTimeIndex(event('t', 'c', 'days', allDay('2025-03-01', '2025-03-14'))).gsi1sk).toBe('X#days');
  });

  it('never indexes an end before the start', () => {
    expect(eventTimeIndex(event('t', 'c', 'neg', timed('2025-03-10T10:00:00.000Z', '2025-03-10T09:00:00.000Z')))).toMatchObject({
      startUtc: '2025-03-10T10:00:00.000Z',
      endUtc: '2025-03-10T10:00:00.000Z',
    });
  });
});
