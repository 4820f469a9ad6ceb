import { describe, expect, it } from 'vitest';
import { isInSyncWindow } from '../../../shared/use-cases/sync/sync-window.ts';
import { providerEvent } from '../../support/events.ts';

const WINDOW = { start: new Date('2026-10-30T00:00:00Z'), end: new Date('2026-12-07T00:00:00Z') };
const instance = (originalStart: string, start: string, end: string, status: 'confirmed' | 'cancelled' = 'confirmed') =>
  providerEvent('series_1', {
    kind: 'exception',
    recurringEventId: 'series',
    originalStart: { dateTime: originalStart, timeZone: 'UTC' },
    start: { dateTime: start, timeZone: 'UTC' },
    end: { dateTime: end, timeZone: 'UTC' },
    status,
  });

describe('isInSyncWindow for instances of a series', () => {
  it('keeps an instance whose original start is inside the window even when it was moved out of it', () => {
    // Without it the stored master puts the instance back at 2026-10-30 00:00, where the user has moved it away.
    expect(isInSyncWindow(instance('2026-10-30T00:00:00Z', '2026-10-29T22:00:00Z', '2026-10-30T00:00:00Z'), WINDOW, 'UTC')).toBe(true);
  });

  it('keeps an instance moved into the window from outside it, and a cancelled one only by its original start', () => {
    expect(isInSyncWindow(instance('2026-10-29T09:00:00Z', '2026-10-31T09:00:00Z', '2026-10-31T10:00:00Z'), WINDOW, 'UTC')).toBe(true);
    expect(isInSyncWindow(instance('2026-10-29T09:00:00Z', '2026-10-31T09:00:00Z', '2026-10-31T10:00:00Z', 'cancelled'), WINDOW, 'UTC')).toBe(false);
    expect(isInSyncWindow(instance('2026-11-02T09:00:00Z', '2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z', 'cancelled'), WINDOW, 'UTC')).toBe(true);
  });

  it('drops an instance that starts and stays outside the window', () => {
    expect(isInSyncWindow(instance('2026-10-20T09:00:00Z', '2026-10-21T09:00:00Z', '2026-10-21T10:00:00Z'), WINDOW, 'UTC')).toBe(false);
  });
});
