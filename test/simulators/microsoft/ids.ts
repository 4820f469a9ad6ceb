import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Outlook item ids are long URL-safe base64 strings with `=` padding that start with `AAMkA`. Ours encode a
 * kind byte, 16 random bytes and, for occurrences, the original start, so an occurrence id is stable and
 * names its series without any lookup table (as in Graph, an exception keeps its occurrence's id).
 */
const PREFIX = 'AAMkA';

// One randomBytes call per id costs more than building the rest of an event; draw from a pool instead.
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random(size: number): Buffer {
  if (poolOffset + size > pool.length) {
    pool = randomBytes(Math.max(8192, size));
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}
const KIND_EVENT = 1;
const KIND_OCCURRENCE = 2;
const KIND_CALENDAR = 3;

function encode(kind: number, random: Buffer, originalStartMs: number): string {
  const bytes = Buffer.alloc(25);
  bytes[0] = kind;
  random.copy(bytes, 1, 0, 16);
  bytes.writeBigInt64BE(BigInt(originalStartMs), 17);
  return PREFIX + bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

function decode(id: string): Buffer | null {
  if (!id.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+=*$/.test(id.slice(PREFIX.length))) return null;
  const bytes = Buffer.from(id.slice(PREFIX.length).replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  return bytes.length === 25 ? bytes : null;
}

export function newEventId(): string {
  return encode(KIND_EVENT, random(16), 0);
}

export function newCalendarId(): string {
  return encode(KIND_CALENDAR, random(16), 0);
}

export function occurrenceId(seriesMasterId: string, originalStartMs: number): string {
  const master = decode(seriesMasterId);
  if (!master) throw new Error(`not a simulator event id: ${seriesMasterId}`);
  return encode(KIND_OCCURRENCE, master.subarray(1, 17), originalStartMs);
}

export type ParsedItemId =
  | { kind: 'event'; id: string }
  | { kind: 'occurrence'; id: string; seriesMasterId: string; originalStartMs: number }
  | { kind: 'calendar'; id: string };

/** Null when Graph would answer 400 `ErrorInvalidIdMalformed`. */
export function parseItemId(id: string): ParsedItemId | null {
  const bytes = decode(id);
  if (!bytes) return null;
  const canonical = encode(bytes[0]!, bytes.subarray(1, 17), Number(bytes.readBigInt64BE(17)));
  if (canonical !== id) return null;
  if (bytes[0] === KIND_EVENT) return { kind: 'event', id };
  if (bytes[0] === KIND_CALENDAR) return { kind: 'calendar', id };
  if (bytes[0] === KIND_OCCURRENCE) {
    return { kind: 'occurrence', id, seriesMasterId: encode(KIND_EVENT, bytes.subarray(1, 17), 0), originalStartMs: Number(bytes.readBigInt64BE(17)) };
  }
  return null;
}

/**
 * Outlook's Global Object Id in hex: a fixed class id, then the instance date (zero on masters and single
 * events, `YYYY MM DD` on occurrences), then the unique part. So every occurrence has its own iCalUId.
 */
const GOID_CLASS = '040000008200E00074C5B7101A82E008';

export function newICalUId(): string {
  return `${GOID_CLASS}00000000${random(24).toString('hex').toUpperCase()}`;
}

export function occurrenceICalUId(masterICalUId: string, originalStartMs: number): string {
  const date = new Date(originalStartMs);
  const instance = date.getUTCFullYear().toString(16).padStart(4, '0') + (date.getUTCMonth() + 1).toString(16).padStart(2, '0') + date.getUTCDate().toString(16).padStart(2, '0');
  return `${GOID_CLASS}${instance.toUpperCase()}${masterICalUId.slice(GOID_CLASS.length + 8)}`;
}

export function newChangeKey(): string {
  return random(21).toString('base64');
}

export function newGuid(): string {
  return randomUUID();
}
