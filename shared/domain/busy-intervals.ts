/**
 * Busy time as plain numbers. Free/busy over a month of 50 calendars merges about 1e5 intervals; doing that
 * with `{start, end}` objects and ISO strings costs ~10× a typed-array sort and one sweep (performance.md),
 * so intervals live in parallel `Float64Array`s of epoch ms, and ISO text is parsed once on the way in and
 * written once, for the merged result only, on the way out.
 */

/** Half-open intervals [starts[i], ends[i]) in epoch ms; only the first `length` entries count. */
export interface BusyColumns {
  starts: Float64Array;
  ends: Float64Array;
  length: number;
}

const INITIAL_CAPACITY = 64;

/**
 * Collects intervals clipped to [clipStartMs, clipEndMs); empty ones (after clipping) are dropped at once,
 * so the sweep never sees them. Grows by doubling.
 */
export class BusyIntervalBuffer implements BusyColumns {
  starts: Float64Array;
  ends: Float64Array;
  length = 0;
  readonly #clipStartMs: number;
  readonly #clipEndMs: number;

  constructor(clipStartMs = -Infinity, clipEndMs = Infinity, capacity = INITIAL_CAPACITY) {
    this.#clipStartMs = clipStartMs;
    this.#clipEndMs = clipEndMs;
    this.starts = new Float64Array(Math.max(1, capacity));
    this.ends = new Float64Array(Math.max(1, capacity));
  }

  add(startMs: number, endMs: number): void {
    // Written so that NaN stays NaN (and is dropped) instead of being clipped into the range.
    const start = startMs < this.#clipStartMs ? this.#clipStartMs : startMs;
    const end = endMs > this.#clipEndMs ? this.#clipEndMs : endMs;
    if (!(end > start)) return;
    if (this.length === this.starts.length) this.#grow();
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length += 1;
  }

  /** Adds every interval of already-merged columns (e.g. one calendar's busy time into the total). */
  addAll(columns: BusyColumns): void {
    for (let i = 0; i < columns.length; i++) this.add(columns.starts[i]!, columns.ends[i]!);
  }

  #grow(): void {
    const starts = new Float64Array(this.starts.length * 2);
    const ends = new Float64Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/**
 * The union of half-open intervals, as sorted, disjoint, non-touching intervals: [9,10) and [10,11) become
 * [9,11). Empty intervals (end ≤ start) are ignored. The input is not modified.
 *
 * Intervals read from the store arrive in start order: they are merged in one pass with a running end, no
 * sort at all. Otherwise starts and ends are sorted independently (native numeric sort, no comparator): a
 * point t is busy exactly when more starts than ends lie at or before it, so one sweep over both sorted
 * arrays finds where the count leaves and returns to zero. At equal times starts go first, which joins
 * touching intervals.
 */
export function mergeBusyIntervals(columns: BusyColumns): BusyColumns {
  return mergeInStartOrder(columns) ?? mergeBySorting(columns);
}

/** The one-pass merge of intervals whose starts ascend, or null as soon as a start goes back. */
function mergeInStartOrder(columns: BusyColumns): BusyColumns | null {
  const inStarts = columns.starts;
  const inEnds = columns.ends;
  const length = columns.length;
  let starts: Float64Array | null = null;
  let ends: Float64Array | null = null;
  let out = 0;
  let open = 0;
  let close = -Infinity;
  let previousStart = -Infinity;
  for (let i = 0; i < length; i++) {
    const start = inStarts[i]!;
    const end = inEnds[i]!;
    if (!(end > start)) continue;
    if (start < previousStart) return null;
    previousStart = start;
    if (start <= close) {
      if (end > close) close = end;
      continue;
    }
    if (close !== -Infinity) {
      starts ??= new Float64Array(length);
      ends ??= new Float64Array(length);
      starts[out] = open;
      ends[out] = close;
      out += 1;
    }
    open = start;
    close = end;
  }
  if (close === -Infinity) return { starts: new Float64Array(0), ends: new Float64Array(0), length: 0 };
  starts ??= new Float64Array(1);
  ends ??= new Float64Array(1);
  starts[out] = open;
  ends[out] = close;
  out += 1;
  return { starts: starts.subarray(0, out), ends: ends.subarray(0, out), length: out };
}

function mergeBySorting(columns: BusyColumns): BusyColumns {
  const starts = new Float64Array(columns.length);
  const ends = new Float64Array(columns.length);
  let count = 0;
  for (let i = 0; i < columns.length; i++) {
    const start = columns.starts[i]!;
    const end = columns.ends[i]!;
    if (!(end > start)) continue;
    starts[count] = start;
    ends[count] = end;
    count += 1;
  }
  const sortedStarts = starts.subarray(0, count).sort();
  const sortedEnds = ends.subarray(0, count).sort();
  // Merged intervals are written over the sorted arrays: the k-th output never outruns the inputs read.
  let out = 0;
  let active = 0;
  let openedAt = 0;
  let i = 0;
  let j = 0;
  while (j < count) {
    if (i < count && sortedStarts[i]! <= sortedEnds[j]!) {
      if (active === 0) openedAt = sortedStarts[i]!;
      active += 1;
      i += 1;
    } else {
      active -= 1;
      if (active === 0) {
        const closedAt = sortedEnds[j]!;
        starts[out] = openedAt;
        ends[out] = closedAt;
        out += 1;
      }
      j += 1;
    }
  }
  return { starts: starts.subarray(0, out), ends: ends.subarray(0, out), length: out };
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * Formats epoch ms exactly like `Date.prototype.toISOString` (`2026-11-01T09:30:00.000Z`) for years
 * 0000–9999, with the `yyyy-mm-ddT` part cached per day: merged busy time repeats the same few days.
 */
export function createIsoFormatter(): (ms: number) => string {
  const days = new Map<number, string>();
  return (ms: number): string => {
    const day = Math.floor(ms / DAY_MS);
    let prefix = days.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
      days.set(day, prefix);
    }
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    return `${prefix}${PAD2[hours]}:${PAD2[minutes]}:${PAD2[seconds]}.${PAD3[rest - seconds * 1000]}Z`;
  };
}

export interface IsoInterval {
  start: string;
  end: string;
}

export function toIsoIntervals(columns: BusyColumns, format: (ms: number) => string = createIsoFormatter()): IsoInterval[] {
  const out = new Array<IsoInterval>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = { start: format(columns.starts[i]!), end: format(columns.ends[i]!) };
  return out;
}

// Month starts (epoch ms) of 1900–2199, plus the month after: day arithmetic becomes one table read.
const FIRST_TABLE_YEAR = 1900;
const TABLE_YEARS = 300;
let monthStarts: Float64Array | null = null;

function monthStartTable(): Float64Array {
  if (!monthStarts) {
    monthStarts = new Float64Array(TABLE_YEARS * 12 + 1);
    for (let i = 0; i <= TABLE_YEARS * 12; i++) monthStarts[i] = Date.UTC(FIRST_TABLE_YEAR + Math.floor(i / 12), i % 12, 1);
  }
  return monthStarts;
}

/** `text[at]` as a digit 0–9, or a value above 9 for anything else (the unsigned shift folds negatives up). */
function digitAt(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) >>> 0;
}

/**
 * Epoch ms of an RFC 3339 instant. Stored instants are UTC (`2026-11-01T09:00:00.000Z`, with or without
 * milliseconds); those are read with digit arithmetic and one table read, 3–4× faster than `Date.parse`
 * (which is what the hot loop of free/busy would otherwise spend most of its time in). Everything else
 * (offsets, other precisions, years outside 1900–2199, invalid dates) goes to `Date.parse`, so the answer
 * is always Date.parse's.
 */
export function parseInstantMs(text: string): number {
  const length = text.length;
  if (
    (length === 20 || length === 24) &&
    text.charCodeAt(length - 1) === 90 /* Z */ &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58 &&
    (length === 20 || text.charCodeAt(19) === 46)
  ) {
    const y0 = digitAt(text, 0), y1 = digitAt(text, 1), y2 = digitAt(text, 2), y3 = digitAt(text, 3);
    const mo0 = digitAt(text, 5), mo1 = digitAt(text, 6), d0 = digitAt(text, 8), d1 = digitAt(text, 9);
    const h0 = digitAt(text, 11), h1 = digitAt(text, 12), mi0 = digitAt(text, 14), mi1 = digitAt(text, 15);
    const s0 = digitAt(text, 17), s1 = digitAt(text, 18);
    const f0 = length === 24 ? digitAt(text, 20) : 0, f1 = length === 24 ? digitAt(text, 21) : 0, f2 = length === 24 ? digitAt(text, 22) : 0;
    if (Math.max(y0, y1, y2, y3, mo0, mo1, d0, d1, h0, h1, mi0, mi1, s0, s1, f0, f1, f2) <= 9) {
      const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
      const month = mo0 * 10 + mo1;
      const dayMs = (d0 * 10 + d1 - 1) * DAY_MS;
      const hours = h0 * 10 + h1;
      const minutes = mi0 * 10 + mi1;
      const seconds = s0 * 10 + s1;
      if (year >= FIRST_TABLE_YEAR && year < FIRST_TABLE_YEAR + TABLE_YEARS && month >= 1 && month <= 12 && dayMs >= 0 && hours <= 23 && minutes <= 59 && seconds <= 59) {
        const table = monthStartTable();
        const index = (year - FIRST_TABLE_YEAR) * 12 + month - 1;
        const monthStart = table[index]!;
        if (dayMs < table[index + 1]! - monthStart) {
          return monthStart + dayMs + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + f0 * 100 + f1 * 10 + f2;
        }
      }
    }
  }
  return Date.parse(text);
}
