import { inputError } from '../domain/app-error.ts';

/**
 * Opaque list cursors. A cursor carries only the sort key of the last item returned; the partition key is
 * always re-derived from the caller's tenant, so a cursor taken from another tenant's listing (or forged)
 * can at most skip ahead inside the caller's own partition. Anything malformed is an input error.
 */
const MAX_CURSOR_LENGTH = 2048;
export const MAX_PAGE_LIMIT = 1000;

export function encodePageCursor(sortKey: string): string {
  return Buffer.from(JSON.stringify({ sk: sortKey }), 'utf8').toString('base64url');
}

/** The sort key inside `cursor`; it must start with `sortKeyPrefix` (the listed entity's prefix). */
export function decodePageCursor(cursor: string, sortKeyPrefix: string): string {
  const invalid = () => inputError('query.cursor', 'cursor is not valid');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) throw invalid();
  const entries = Object.entries(decoded);
  const sk: unknown = (decoded as { sk?: unknown }).sk;
  if (entries.length !== 1 || typeof sk !== 'string' || !sk.startsWith(sortKeyPrefix) || sk.length > 1024) throw invalid();
  return sk;
}

export function validatePageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw inputError('query.limit', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  return limit;
}
