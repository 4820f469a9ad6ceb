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
 * [9,11). Starts and ends are sorted independently (native numeric sort, no comparator): a point t is busy
 * exactly when more starts than ends lie at or before it, so one sweep over both sorted arrays finds where
 * the count leaves and returns to zero. At equal times starts go first, which joins touching intervals.
 * Empty intervals (end ≤ start) are ignored. The input is not modified.
 */
export function mergeBusyIntervals(columns: BusyColumns): BusyColumns {
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

const CHAR_0 = 48;

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let k = from; k < from + count; k++) {
    const digit = text.charCodeAt(k) - CHAR_0;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch ms of an RFC 3339 instant. Stored instants are always UTC (`…Z`, with or without milliseconds);
 * those are read by arithmetic, several times faster than `Date.parse`. Anything else (offsets, other
 * precisions) goes through `Date.parse`.
 */
export function parseInstantMs(text: string): number {
  const length = text.length;
  if ((length === 20 || length === 24) && text.charCodeAt(length - 1) === 90 /* Z */ && text.charCodeAt(10) === 84 /* T */) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hours = digits(text, 11, 2);
    const minutes = digits(text, 14, 2);
    const seconds = digits(text, 17, 2);
    const millis = length === 24 ? digits(text, 20, 3) : 0;
    const separatorsOk =
      text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58 && (length === 20 || text.charCodeAt(19) === 46);
    if (separatorsOk && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hours <= 23 && minutes <= 59 && seconds <= 59) {
      const ms = daysFromCivil(year, month, day) * DAY_MS + hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + millis;
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return Date.parse(text);
}
