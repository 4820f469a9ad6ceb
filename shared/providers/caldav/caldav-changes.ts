import { AppError, isAppError } from '../../domain/app-error.ts';
import type { ChangePage, ChangeRequest, ProviderChange } from '../../ports/calendar-provider.ts';
import type { CaldavClient } from './caldav-client.ts';
import { decodeCursor, decodePageState, encodeCursor, encodePageState, type CaldavPageState } from './caldav-cursor.ts';
import { listMembers, readCtag } from './caldav-discovery.ts';
import { readResource, type ResourceReading } from './caldav-resources.ts';

/** Hrefs per calendar-multiget: one page of a round. */
export const MULTIGET_BATCH = 100;

/** HTTP statuses with which a server refuses a sync-collection REPORT it does not implement. */
const SYNC_UNSUPPORTED = new Set([400, 403, 405, 415, 422, 501]);

function isSyncUnsupported(error: unknown): boolean {
  if (!isAppError(error, 'provider.input_invalid')) return false;
  return SYNC_UNSUPPORTED.has(error.details?.status as number);
}

export interface ChangeListing {
  client: CaldavClient;
  reading: ResourceReading;
  batchSize?: number;
}

/**
 * One page of a CalDAV sync round (providers.md C44–C46, C50, C51):
 * - the first page asks `sync-collection` from the stored token ('' when there is none: the initial,
 *   atomic listing of every member plus a token; the engine keeps what falls in its window). Removed members
 *   become `deleteResource`; changed ones are fetched with `calendar-multiget`, `batchSize` per page, and
 *   become `replaceResource` with every VEVENT of the href. Deletions go first in a page, so a resource that
 *   moved to a new href (same UID) is removed before it is written again;
 * - a 507 on the request URI (truncated answer) leaves `more` set: after the pending members, the next page
 *   reports again from the partial token;
 * - a 403 `valid-sync-token` is `provider.cursor_invalid` (the engine runs one full resync);
 * - servers without sync-collection: the full listing is PROPFIND depth 1 + multiget and the cursor is the
 *   collection's ctag. An unchanged ctag costs one PROPFIND and returns nothing; a changed ctag answers
 *   `provider.cursor_invalid`, so the engine runs a full listing that tombstones what vanished.
 */
export async function listCaldavChanges(listing: ChangeListing, request: ChangeRequest): Promise<ChangePage> {
  const { client } = listing;
  const collectionUrl = request.calendar.providerCalendarId;
  const changes: ProviderChange[] = [];
  let state: CaldavPageState;
  if (request.pageToken) {
    state = decodePageState(request.pageToken);
  } else if (request.cursor) {
    const cursor = decodeCursor(request.cursor);
    if (cursor.mode === 'ctag') {
      const ctag = await readCtag(client, collectionUrl);
      if (ctag !== null && ctag === cursor.ctag) return { changes: [], nextPageToken: null, nextCursor: request.cursor };
      throw new AppError('provider.cursor_invalid', 'The collection changed (ctag) and the server has no sync-collection: a full listing follows', { retryable: false });
    }
    state = { v: 1, mode: 'sync', token: cursor.token, pending: [], more: true };
  } else {
    state = { v: 1, mode: 'sync', token: '', pending: [], more: true };
  }

  if (state.mode === 'sync' && state.pending.length === 0 && state.more) {
    try {
      const report = await client.syncCollection(collectionUrl, state.token);
      for (const href of report.removed) changes.push({ type: 'deleteResource', resourceId: href });
      state = { v: 1, mode: 'sync', token: report.token, pending: report.changed.map((member) => member.href), more: report.truncated };
    } catch (error) {
      if (state.token !== '' || !isSyncUnsupported(error)) throw error;
      const members = await listMembers(client, collectionUrl);
      state = { v: 1, mode: 'ctag', ctag: members.ctag, pending: members.hrefs };
    }
  }

  const batchSize = listing.batchSize ?? MULTIGET_BATCH;
  const batch = state.pending.slice(0, batchSize);
  const rest = state.pending.slice(batchSize);
  if (batch.length > 0) {
    const result = await client.multiget(collectionUrl, batch);
    for (const href of result.missing) changes.push({ type: 'deleteResource', resourceId: href });
    for (const resource of result.found) {
      const events = readResource(resource, listing.reading);
      changes.push(events && events.length > 0 ? { type: 'replaceResource', resourceId: resource.href, events } : { type: 'deleteResource', resourceId: resource.href });
    }
  }

  const next: CaldavPageState = { ...state, pending: rest };
  const morePages = rest.length > 0 || (next.mode === 'sync' && next.more);
  if (morePages) return { changes, nextPageToken: encodePageState(next), nextCursor: null };
  const cursor = next.mode === 'sync' ? encodeCursor({ v: 1, mode: 'sync', token: next.token }) : encodeCursor({ v: 1, mode: 'ctag', ctag: next.ctag });
  return { changes, nextPageToken: null, nextCursor: cursor };
}
