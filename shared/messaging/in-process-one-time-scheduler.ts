import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../domain/app-error.ts';
import type { Clock } from '../ports/clock.ts';
import { TIMER_ID, type OneTimeScheduler } from '../ports/one-time-scheduler.ts';

export interface InProcessOneTimeSchedulerOptions<T> {
  /** The time timers are due on: the local stack's clock (which can be moved ahead) or a test's fake clock. */
  clock: Clock;
  /** What a due timer invokes (the local stack: the timer function, as Scheduler would). */
  fire: (payload: T, name: string) => Promise<unknown>;
  /** Retries of a failed fire, each `retryDelayMs` later on `clock` (Lambda's async retries). */
  retries?: number;
  retryDelayMs?: number;
  /** Deliver a timer this many times (tests: at-least-once delivery, made visible). Default 1. */
  deliveries?: (name: string) => number;
  log?: (line: string) => void;
  /**
   * Keep pending timers in this JSON file (the local stack with --persist: `<dataDir>/timers.json`): written on
   * every change, read back on construction, so a restart forgets no reminder. A timer whose time passed while
   * the process was down fires on the first run, and its target applies the product's rule for late timers
   * (a reminder past its time is not sent). Default: in memory only.
   */
  file?: string;
}

interface PendingTimer<T> {
  name: string;
  atMs: number;
  payload: T;
  attempt: number;
}

/**
 * EventBridge Scheduler's one-time schedules in this process, for `npm start` and tests: a timer is due at
 * `at` on the injected clock, fires once (then it is gone, as with ActionAfterCompletion DELETE), and a
 * fire that throws is retried. `runDue()` fires whatever is due now; `start()` calls it every second, so a
 * clock that jumps ahead (POST /local/clock, a test's compressed clock) fires what it passed over at once.
 */
export class InProcessOneTimeScheduler<T = unknown> implements OneTimeScheduler<T> {
  readonly #timers = new Map<string, PendingTimer<T>>();
  readonly #options: InProcessOneTimeSchedulerOptions<T>;
  /** The last run: runs queue behind each other, never overlap. */
  #running: Promise<unknown> = Promise.resolve();
  #interval: NodeJS.Timeout | null = null;
  /** Fires so far, per timer name (tests, GET /local/scheduler). */
  readonly fired = new Map<string, number>();

  constructor(options: InProcessOneTimeSchedulerOptions<T>) {
    this.#options = options;
    if (options.file) for (const timer of readTimers<T>(options.file)) this.#timers.set(timer.name, timer);
  }

  #save(): void {
    const file = this.#options.file;
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    // Write then rename: a crash mid-write leaves the previous file, never a torn one.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 1, timers: [...this.#timers.values()] }));
    renameSync(temporary, file);
  }

  async schedule(id: string, at: Date, payload: T): Promise<void> {
    if (!TIMER_ID.test(id)) throw new AppError('internal.unexpected', `Timer id ${JSON.stringify(id)} is not a valid schedule name`, { retryable: false });
    // Second precision, rounded up, like the at() expression.
    this.#timers.set(id, { name: id, atMs: Math.ceil(at.getTime() / 1000) * 1000, payload: structuredClone(payload), attempt: 0 });
    this.#save();
  }

  async cancel(id: string): Promise<void> {
    if (this.#timers.delete(id)) this.#save();
  }

  /** Timers not fired yet, soonest first. */
  pending(): { name: string; at: string; payload: T }[] {
    return [...this.#timers.values()].sort((a, b) => a.atMs - b.atMs).map((t) => ({ name: t.name, at: new Date(t.atMs).toISOString(), payload: t.payload }));
  }

  /** Fires every timer due by the clock, soonest first; resolves with how many fired. One run at a time. */
  runDue(): Promise<number> {
    const run = this.#running.then(() => this.#fireDue());
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #fireDue(): Promise<number> {
    const nowMs = this.#options.clock.now().getTime();
    const due = [...this.#timers.values()].filter((t) => t.atMs <= nowMs).sort((a, b) => a.atMs - b.atMs || a.name.localeCompare(b.name));
    for (const timer of due) {
      // Gone before the target runs: a schedule() from inside the fire makes a new timer under the name.
      if (this.#timers.get(timer.name) === timer) this.#timers.delete(timer.name);
      this.#save();
      const deliveries = Math.max(1, this.#options.deliveries?.(timer.name) ?? 1);
      this.fired.set(timer.name, (this.fired.get(timer.name) ?? 0) + 1);
      const results = await Promise.allSettled(Array.from({ length: deliveries }, () => this.#options.fire(timer.payload, timer.name)));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failure) continue;
      const retries = this.#options.retries ?? 2;
      this.#options.log?.(`timer ${timer.name} failed (attempt ${timer.attempt + 1}): ${failure.reason instanceof Error ? failure.reason.message : String(failure.reason)}`);
      if (timer.attempt < retries && !this.#timers.has(timer.name)) {
        this.#timers.set(timer.name, { ...timer, atMs: nowMs + (this.#options.retryDelayMs ?? 60_000), attempt: timer.attempt + 1 });
        this.#save();
      }
    }
    return due.length;
  }

  /** Checks for due timers every `intervalMs` of real time. */
  start(intervalMs = 1_000): void {
    if (this.#interval) return;
    this.#interval = setInterval(() => {
      this.runDue().catch((error: unknown) => this.#options.log?.(`timers: ${String(error)}`));
    }, intervalMs);
    this.#interval.unref();
  }

  async stop(): Promise<void> {
    if (this.#interval) clearInterval(this.#interval);
    this.#interval = null;
    await this.#running;
  }
}

function readTimers<T>(file: string): PendingTimer<T>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = JSON.parse(text) as { version?: number; timers?: PendingTimer<T>[] };
  if (parsed.version !== 1 || !Array.isArray(parsed.timers)) throw new Error(`${file}: not a timers file (version 1)`);
  return parsed.timers.filter((t) => typeof t.name === 'string' && Number.isFinite(t.atMs));
}
