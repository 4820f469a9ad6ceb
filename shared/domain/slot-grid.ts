import { offsetPieces, pieceEnd, type OffsetPieces } from './zone-offset-pieces.ts';

const DAY_MS = 86_400_000;

/**
 * The instants where a slot may start: wall-clock times in `zone` whose minutes since local midnight are a
 * multiple of the interval (30 minutes: :00 and :30 local; 45: 00:00, 00:45, 01:30, …). The grid restarts at
 * every local midnight, so an interval that does not divide a day still starts each day at 00:00. On DST
 * days the grid follows the wall clock: after a spring-forward gap the next aligned time is the first one
 * that exists (03:00), and after a fall-back the repeated hour's aligned times occur twice.
 */
export class SlotGrid {
  readonly #pieces: OffsetPieces;
  readonly #intervalMs: number;
  #cursor = 0;

  /** Covers [startMs, endMs); `ceil`/`floor` answer Infinity/−Infinity outside it. */
  constructor(zone: string, intervalMinutes: number, startMs: number, endMs: number) {
    if (!(intervalMinutes >= 1)) throw new RangeError('intervalMinutes must be at least 1');
    this.#intervalMs = intervalMinutes * 60_000;
    this.#pieces = offsetPieces(zone, startMs, Math.max(endMs, startMs + 1));
  }

  get startMs(): number {
    return this.#pieces.starts[0]!;
  }

  get endMs(): number {
    return this.#pieces.endMs;
  }

  /** Whether `instantMs` is on the grid. */
  isAligned(instantMs: number): boolean {
    return this.ceil(instantMs) === instantMs;
  }

  /** The first grid instant at or after `instantMs`. */
  ceil(instantMs: number): number {
    const pieces = this.#pieces;
    let t = Math.max(instantMs, this.startMs);
    let p = this.#seek(t);
    while (p < pieces.length) {
      const offset = pieces.offsets[p]!;
      const local = t + offset;
      const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
      const aligned = Math.ceil((local - dayStart) / this.#intervalMs) * this.#intervalMs;
      const candidate = (aligned >= DAY_MS ? dayStart + DAY_MS : dayStart + aligned) - offset;
      const end = pieceEnd(pieces, p);
      if (candidate < end) {
        this.#cursor = p;
        return candidate;
      }
      // The next aligned wall time lies past this piece: look again from where the next piece begins.
      t = end;
      p += 1;
    }
    return Infinity;
  }

  /** The last grid instant at or before `instantMs`. */
  floor(instantMs: number): number {
    const pieces = this.#pieces;
    let t = Math.min(instantMs, this.endMs - 1);
    if (t < this.startMs) return -Infinity;
    let p = this.#seek(t);
    while (p >= 0) {
      const offset = pieces.offsets[p]!;
      const local = t + offset;
      const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
      const candidate = dayStart + Math.floor((local - dayStart) / this.#intervalMs) * this.#intervalMs - offset;
      const start = pieces.starts[p]!;
      if (candidate >= start) {
        this.#cursor = p;
        return candidate;
      }
      t = start - 1;
      p -= 1;
    }
    return -Infinity;
  }

  /** Index of the piece holding `t`, starting from the last one used (queries mostly move one way). */
  #seek(t: number): number {
    const pieces = this.#pieces;
    let p = Math.min(this.#cursor, pieces.length - 1);
    while (p + 1 < pieces.length && pieces.starts[p + 1]! <= t) p += 1;
    while (p > 0 && pieces.starts[p]! > t) p -= 1;
    return p;
  }
}
