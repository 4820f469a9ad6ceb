import { describe, expect, it, vi } from 'vitest';
import type * as BusyTime from '../../../shared/use-cases/availability/busy-time.ts';
import { checkConflicts } from '../../../shared/use-cases/availability/check-conflicts.ts';
import { findAvailability } from '../../../shared/use-cases/availability/find-availability.ts';
import { storedEvent, timed } from '../read-side/support.ts';
import { harness } from './support/harness.ts';

/**
 * The seam may answer a calendar only in part (live provider reads outside the mirrored window can fail):
 * calendars listed in `degraded` answer their first `answeredUntil` from the store and report an error for the
 * rest, as collectBusyTime's contract allows. Availability must treat the unanswered part as busy.
 */
const degraded = new Map<string, number>();
vi.mock('../../../shared/use-cases/availability/busy-time.ts', async (importOriginal) => {
  const original = await importOriginal<typeof BusyTime>();
  return {
    ...original,
    collectBusyTime: async (...args: Parameters<typeof BusyTime.collectBusyTime>) =>
      (await original.collectBusyTime(...args)).map((result) => {
        const answeredUntil = degraded.get(result.calendar.id);
        if (answeredUntil === undefined) return result;
        const [first] = result.coverage;
        return {
          ...result,
          coverage: first && first.startMs < answeredUntil ? [{ ...first, endMs: answeredUntil }] : [],
          error: { code: 'provider.unavailable', message: 'Google did not answer', retryable: true },
        };
      }),
  };
});

describe('unknown busy time is never free', () => {
  it('a calendar that could not answer part of the range makes its participant unavailable there, and the reply says which calendar failed', async () => {
    const h = harness();
    const ada = h.calendar('ada');
    const bob = h.calendar('bob');
    degraded.set(bob.id, Date.parse('2026-11-02T11:00:00Z'));
    const range = { start: '2026-11-02T09:00:00Z', end: '2026-11-02T13:00:00Z' };
    const participants = [{ calendarIds: [ada.id] }, { calendarIds: [bob.id] }];
    const collective = await findAvailability(h.deps, { tenantId: h.tenantId, participants, ...range, durationMinutes: 60 });
    expect(collective.slots.map((s) => s.start)).toEqual(['2026-11-02T09:00:00Z', '2026-11-02T10:00:00Z']);
    const roundRobin = await findAvailability(h.deps, { tenantId: h.tenantId, participants, ...range, durationMinutes: 60, mode: 'round_robin' });
    expect(roundRobin.slots.map((s) => [s.start, s.participants])).toEqual([
      ['2026-11-02T09:00:00Z', [0, 1]],
      ['2026-11-02T10:00:00Z', [0, 1]],
      ['2026-11-02T11:00:00Z', [0]],
      ['2026-11-02T12:00:00Z', [0]],
    ]);
    expect(collective.calendars.find((c) => c.calendarId === bob.id)).toEqual({
      calendarId: bob.id,
      participants: [1],
      coverage: [{ start: '2026-11-02T09:00:00Z', end: '2026-11-02T11:00:00Z', source: 'store' }],
      error: { code: 'provider.unavailable', message: 'Google did not answer', retryable: true },
    });
    expect(collective.calendars.find((c) => c.calendarId === ada.id)!.error).toBeNull();
  });

  it('conflicts list the unknown part of the proposed time, and no alternative falls into it', async () => {
    const h = harness('tenant-a', '2026-11-02T00:00:00Z');
    const carol = h.calendar('carol');
    await h.events.putMany([storedEvent(carol, 'review', { title: 'Review', ...timed('2026-11-02T10:00:00Z', '2026-11-02T10:30:00Z') })]);
    degraded.set(carol.id, Date.parse('2026-11-02T10:45:00Z'));
    const result = await checkConflicts(h.deps, {
      tenantId: h.tenantId,
      calendarIds: [carol.id],
      start: '2026-11-02T10:00:00Z',
      end: '2026-11-02T11:00:00Z',
      alternatives: 3,
      intervalMinutes: 30,
      horizonDays: 1,
    });
    expect(result.conflicts).toEqual([
      { calendarId: carol.id, eventId: 'review', title: 'Review', start: '2026-11-02T10:00:00Z', end: '2026-11-02T10:30:00Z' },
      { calendarId: carol.id, eventId: null, title: null, start: '2026-11-02T10:45:00Z', end: '2026-11-02T11:00:00Z', unknown: true },
    ]);
    // Only the time before 10:45 is known: alternatives are the free hours before 10:00.
    expect(result.alternatives).toEqual([
      { start: '2026-11-02T08:30:00Z', end: '2026-11-02T09:30:00Z' },
      { start: '2026-11-02T08:00:00Z', end: '2026-11-02T09:00:00Z' },
      { start: '2026-11-02T09:00:00Z', end: '2026-11-02T10:00:00Z' },
    ].sort((a, b) => (a.start < b.start ? -1 : 1)));
    expect(result.calendars[0]!.error?.code).toBe('provider.unavailable');
  });
});
