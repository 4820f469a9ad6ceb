import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InProcessOneTimeScheduler } from '../../../shared/messaging/in-process-one-time-scheduler.ts';

const T0 = Date.parse('2027-03-01T09:00:00Z');

function setup(options: { fail?: (name: string, attempt: number) => boolean; deliveries?: (name: string) => number } = {}) {
  const clock = { ms: T0, now: () => new Date(clock.ms) };
  const fired: { name: string; payload: { n: number }; atMs: number }[] = [];
  const attempts = new Map<string, number>();
  const timers = new InProcessOneTimeScheduler<{ n: number }>({
    clock,
    fire: async (payload, name) => {
      const attempt = attempts.get(name) ?? 0;
      attempts.set(name, attempt + 1);
      if (options.fail?.(name, attempt)) throw new Error(`fail ${name}`);
      fired.push({ name, payload, atMs: clock.ms });
    },
    retries: 2,
    retryDelayMs: 60_000,
    ...(options.deliveries ? { deliveries: options.deliveries } : {}),
  });
  return { clock, fired, timers, attempts };
}

describe('InProcessOneTimeScheduler', () => {
  it('fires a timer once when the injected clock reaches it, soonest first, and forgets it', async () => {
    const { clock, fired, timers } = setup();
    await timers.schedule('b', new Date(T0 + 120_000), { n: 2 });
    await timers.schedule('a', new Date(T0 + 60_000), { n: 1 });
    expect(await timers.runDue()).toBe(0);
    clock.ms = T0 + 59_999;
    expect(await timers.runDue()).toBe(0);
    clock.ms = T0 + 10 * 60_000;
    expect(await timers.runDue()).toBe(2);
    expect(fired.map((f) => f.name)).toEqual(['a', 'b']);
    expect(await timers.runDue()).toBe(0);
    expect(timers.pending()).toEqual([]);
  });

  it('an upsert moves the timer and replaces its payload; cancel removes it; cancelling an unknown one is fine', async () => {
    const { clock, fired, timers } = setup();
    await timers.schedule('t', new Date(T0 + 60_000), { n: 1 });
    await timers.schedule('t', new Date(T0 + 3_600_000), { n: 2 });
    await timers.schedule('gone', new Date(T0 + 60_000), { n: 3 });
    await timers.cancel('gone');
    await timers.cancel('never-made');
    expect(timers.pending()).toEqual([{ name: 't', at: new Date(T0 + 3_600_000).toISOString(), payload: { n: 2 } }]);
    clock.ms = T0 + 120_000;
    await timers.runDue();
    expect(fired).toEqual([]);
    clock.ms = T0 + 3_600_000;
    await timers.runDue();
    expect(fired).toEqual([{ name: 't', payload: { n: 2 }, atMs: T0 + 3_600_000 }]);
  });

  it('rounds a time up to the whole second, like at()', async () => {
    const { timers } = setup();
    await timers.schedule('t', new Date(T0 + 1_250), { n: 1 });
    expect(timers.pending()[0]!.at).toBe(new Date(T0 + 2_000).toISOString());
  });

  it('retries a failed fire a minute later on the clock, at most `retries` times', async () => {
    const { clock, fired, timers, attempts } = setup({ fail: (name, attempt) => name === 'always' || attempt === 0 });
    await timers.schedule('once', new Date(T0), { n: 1 });
    await timers.schedule('always', new Date(T0), { n: 2 });
    for (let minute = 0; minute <= 5; minute++) {
      clock.ms = T0 + minute * 60_000;
      await timers.runDue();
    }
    expect(fired.map((f) => [f.name, f.atMs])).toEqual([['once', T0 + 60_000]]);
    expect(attempts.get('always')).toBe(3);
    expect(timers.pending()).toEqual([]);
  });

  it('can deliver a timer more than once at the same moment (at-least-once, for tests of the receiver)', async () => {
    const { clock, fired, timers } = setup({ deliveries: () => 2 });
    await timers.schedule('t', new Date(T0), { n: 1 });
    clock.ms = T0;
    await timers.runDue();
    expect(fired.map((f) => f.name)).toEqual(['t', 't']);
    expect(timers.fired.get('t')).toBe(1);
  });

  it('refuses a name EventBridge Scheduler would refuse', async () => {
    const { timers } = setup();
    await expect(timers.schedule('no spaces', new Date(T0), { n: 1 })).rejects.toThrow(/not a valid schedule name/);
  });
});

describe('InProcessOneTimeScheduler with a file (local stack --persist)', () => {
  function persisted(file: string, clock: { ms: number; now: () => Date }) {
    const fired: string[] = [];
    const timers = new InProcessOneTimeScheduler<{ n: number }>({ clock, file, fire: async (_payload, name) => void fired.push(name) });
    return { timers, fired };
  }

  it('keeps pending timers across a restart, fires each exactly once after it, and forgets cancelled ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'timers-'));
    try {
      const file = path.join(dir, 'sub', 'timers.json');
      const clock = { ms: T0, now: () => new Date(clock.ms) };
      const first = persisted(file, clock);
      await first.timers.schedule('keep', new Date(T0 + 60_000), { n: 1 });
      await first.timers.schedule('gone', new Date(T0 + 60_000), { n: 2 });
      await first.timers.schedule('later', new Date(T0 + 600_000), { n: 3 });
      await first.timers.cancel('gone');
      await first.timers.stop();
      // Oracle: the file itself, read independently of the scheduler.
      const onDisk = (JSON.parse(readFileSync(file, 'utf8')) as { timers: { name: string }[] }).timers.map((t) => t.name).sort();
      expect(onDisk).toEqual(['keep', 'later']);

      const second = persisted(file, clock);
      expect(second.timers.pending().map((t) => [t.name, t.at, t.payload.n])).toEqual([
        ['keep', new Date(T0 + 60_000).toISOString(), 1],
        ['later', new Date(T0 + 600_000).toISOString(), 3],
      ]);
      clock.ms = T0 + 120_000; // passed while "down"
      expect(await second.timers.runDue()).toBe(1);
      expect(second.fired).toEqual(['keep']);

      // A second restart after the fire: the fired timer is not fired again.
      const third = persisted(file, clock);
      expect(await third.timers.runDue()).toBe(0);
      clock.ms = T0 + 600_000;
      expect(await third.timers.runDue()).toBe(1);
      expect([...second.fired, ...third.fired]).toEqual(['keep', 'later']);
      expect(persisted(file, clock).timers.pending()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a file, a new scheduler starts empty (in memory, as before)', async () => {
    const clock = { ms: T0, now: () => new Date(clock.ms) };
    const a = new InProcessOneTimeScheduler({ clock, fire: async () => undefined });
    await a.schedule('x', new Date(T0 + 1_000), {});
    expect(new InProcessOneTimeScheduler({ clock, fire: async () => undefined }).pending()).toEqual([]);
  });
});
