import { AppError } from '../../domain/app-error.ts';

/**
 * The stored cursor of a CalDAV calendar: the RFC 6578 sync token, or (servers without sync-collection) the
 * collection's ctag. Opaque to everyone else: base64url JSON with a version.
 */
export type CaldavCursor = { v: 1; mode: 'sync'; token: string } | { v: 1; mode: 'ctag'; ctag: string | null };

/**
 * Where a round stands between pages: the token to report from (or continue from, after a 507) and the
 * changed members still to fetch with calendar-multiget. Lives only inside one sync run.
 */
export type CaldavPageState =
  | { v: 1; mode: 'sync'; token: string; pending: string[]; more: boolean }
  | { v: 1; mode: 'ctag'; ctag: string | null; pending: string[] };

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(text: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch (error) {
    throw new AppError('provider.cursor_invalid', `Unreadable CalDAV ${what}`, { retryable: false, cause: error });
  }
}

export function encodeCursor(cursor: CaldavCursor): string {
  return encode(cursor);
}

/** A cursor we cannot read (another version, damaged) is an invalid cursor: the engine runs a full resync. */
export function decodeCursor(text: string): CaldavCursor {
  const value = decode(text, 'cursor') as Partial<CaldavCursor> | null;
  if (value && value.v === 1 && value.mode === 'sync' && typeof value.token === 'string') return { v: 1, mode: 'sync', token: value.token };
  if (value && value.v === 1 && value.mode === 'ctag' && (typeof value.ctag === 'string' || value.ctag === null)) return { v: 1, mode: 'ctag', ctag: value.ctag };
  throw new AppError('provider.cursor_invalid', 'Unknown CalDAV cursor', { retryable: false });
}

export function encodePageState(state: CaldavPageState): string {
  return encode(state);
}

export function decodePageState(text: string): CaldavPageState {
  const value = decode(text, 'page token') as Partial<CaldavPageState> | null;
  const pending = Array.isArray(value?.pending) && value.pending.every((href) => typeof href === 'string') ? value.pending : null;
  if (value && value.v === 1 && pending) {
    if (value.mode === 'sync' && typeof value.token === 'string' && typeof value.more === 'boolean') return { v: 1, mode: 'sync', token: value.token, pending, more: value.more };
    if (value.mode === 'ctag' && (typeof value.ctag === 'string' || value.ctag === null)) return { v: 1, mode: 'ctag', ctag: value.ctag, pending };
  }
  throw new AppError('provider.input_invalid', 'Unknown CalDAV page token', { retryable: false });
}
