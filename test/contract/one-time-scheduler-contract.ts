import { describe, expect, it } from 'vitest';
import type { OneTimeScheduler } from '../../shared/ports/one-time-scheduler.ts';

export interface SchedulerUnderTest {
  timers: OneTimeScheduler<{ n: number }>;
  /** Moves the backend's time to `ms` and lets it fire what is due. */
  runUntil(ms: number): Promise<void>;
  /** What fired so far: the payloads, with the time each fired. */
  fired: { payload: { n: number }; atMs: number }[];
  /** Timers that exist and have not fired, by name → time. */
  pending(): Promise<Map<string, number>>;
}

const T0 = Date.parse('2027-06-01T10:00:00Z');

/** What every one-time scheduler must do: the booking timers rely on exactly this. */
export function oneTimeSchedulerContract(name: string, setup: (startMs: number) => Promise<SchedulerUnderTest>): void {
  describe(`OneTimeScheduler contract: ${name}`, () => {
    it('fires a timer once, at its time (to the second, never early), with its payload', async () => {
      const s = await setup(T0);
      await s.timers.schedule('ct-once', new Date(T0 + 90_500), { n: 1 });
      expect(await s.pending()).toEqual(new Map([['ct-once', T0 + 91_000]]));
      await s.runUntil(T0 + 90_999);
      expect(s.fired).toEqual([]);
      await s.runUntil(T0 + 91_000);
      await s.runUntil(T0 + 3_600_000);
      expect(s.fired).toEqual([{ payload: { n: 1 }, atMs: T0 + 91_000 }]);
      expect(await s.pending()).toEqual(new Map());
    });

    it('scheduling an id again moves the timer and replaces its payload (one timer, not two)', async () => {
      const s = await setup(T0);
      await s.timers.schedule('ct-move', new Date(T0 + 60_000), { n: 1 });
      await s.timers.schedule('ct-move', new Date(T0 + 600_000), { n: 2 });
      await s.timers.schedule('ct-move', new Date(T0 + 600_000), { n: 2 });
      expect(await s.pending()).toEqual(new Map([['ct-move', T0 + 600_000]]));
      await s.runUntil(T0 + 599_000);
      expect(s.fired).toEqual([]);
      await s.runUntil(T0 + 600_000);
      await s.runUntil(T0 + 3_600_000);
      expect(s.fired).toEqual([{ payload: { n: 2 }, atMs: T0 + 600_000 }]);
    });

    it('a cancelled timer never fires; cancelling one that does not exist or has fired is fine; an id can be used again after', async () => {
      const s = await setup(T0);
      await s.timers.schedule('ct-cancel', new Date(T0 + 60_000), { n: 1 });
      await s.timers.cancel('ct-cancel');
      await s.timers.cancel('ct-cancel');
      await s.timers.cancel('ct-never-made');
      await s.runUntil(T0 + 120_000);
      expect(s.fired).toEqual([]);
      await s.timers.schedule('ct-cancel', new Date(T0 + 180_000), { n: 3 });
      await s.runUntil(T0 + 180_000);
      await s.timers.cancel('ct-cancel');
      expect(s.fired).toEqual([{ payload: { n: 3 }, atMs: T0 + 180_000 }]);
    });

    it('refuses an id that is not a schedule name (64 letters, digits, - _ . at most)', async () => {
      const s = await setup(T0);
      await expect(s.timers.schedule('has space', new Date(T0 + 60_000), { n: 1 })).rejects.toThrow();
      await expect(s.timers.schedule('x'.repeat(65), new Date(T0 + 60_000), { n: 1 })).rejects.toThrow();
      expect(await s.pending()).toEqual(new Map());
    });
  });
}
