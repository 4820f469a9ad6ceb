import { createHash } from 'node:crypto';

/**
 * Opaque page and sync tokens. Their content is ours to change, so clients must treat them as opaque; the
 * fingerprint ties a page token to the query that produced it (providers.md item 3: paging repeats the
 * same query).
 */
export type SortKey = [number | string, string];

export interface PageState {
  /** `full` listing or `incremental` round. */
  mode: 'full' | 'incremental';
  calendarId: string;
  fingerprint: string;
  /** Change-log position the round covers up to (the next sync token's position). */
  high: number;
  /** Sort key of the last item already returned. */
  after: SortKey | null;
  /** Consecutive empty pages handed out (random paging never hands out more than two in a row). */
  empties: number;
}

export interface SyncState {
  calendarId: string;
  seq: number;
  epoch: number;
  singleEvents: boolean;
}

const PAGE_PREFIX = 'Cp';
const SYNC_PREFIX = 'CPs';

function encode(prefix: string, value: unknown): string {
  return prefix + Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(prefix: string, token: string): unknown {
  if (!token.startsWith(prefix)) return null;
  try {
    return JSON.parse(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export const encodePageToken = (state: PageState): string => encode(PAGE_PREFIX, state);
export const encodeSyncToken = (state: SyncState): string => encode(SYNC_PREFIX, state);

export function decodePageToken(token: string): PageState | null {
  const value = decode(PAGE_PREFIX, token) as PageState | null;
  if (!value || typeof value !== 'object' || typeof value.calendarId !== 'string' || typeof value.high !== 'number') return null;
  return value;
}

export function decodeSyncToken(token: string): SyncState | null {
  const value = decode(SYNC_PREFIX, token) as SyncState | null;
  if (!value || typeof value !== 'object' || typeof value.calendarId !== 'string' || typeof value.seq !== 'number' || typeof value.epoch !== 'number') return null;
  return value;
}

export function fingerprintOf(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}
