import { randomBytes } from 'node:crypto';
import { GraphHttpError, badRequest } from './graph-error.ts';
import { parseWindowBound } from './graph-time.ts';
import { queryValue, type SimRequest, type SimResponse } from './http-types.ts';
import type { MailboxStore } from './mailbox-store.ts';
import type { StoredEvent, TimeWindow, ViewItem } from './model.ts';
import { calendarView, itemsInWindow } from './calendar-view.ts';
import { renderItem, type RenderOptions } from './event-render.ts';

export type DeltaExpiryCode = 'syncStateNotFound' | 'resyncRequired';

interface ItemRef {
  id: string;
  eventId: string;
}

interface Round {
  calendarId: string;
  window: TimeWindow;
  /** Full rounds skip items that vanished; incremental rounds report them as `@removed`. */
  incremental: boolean;
  refs: ItemRef[];
  /** Change-log position the round started at: its deltaLink resumes from here. */
  baseSeq: number;
}

interface TokenState {
  calendarId: string;
  issuedAtMs: number;
  expired: { code: DeltaExpiryCode; location: boolean } | null;
  /** Skip tokens: the round and where the next page starts. */
  round?: Round;
  offset?: number;
  /** Delta tokens: the window and change-log position of the next round. */
  window?: TimeWindow;
  seq?: number;
}

export interface DeltaRequest {
  request: SimRequest;
  calendarId: string;
  pageSize: number;
  render: RenderOptions;
}

const MAX_TOKENS = 200_000;
const EXPIRY_MESSAGES: Record<DeltaExpiryCode, string> = {
  syncStateNotFound: 'The sync state generation is not found. Please resync by omitting the delta token.',
  resyncRequired: 'Resync required. Replace any local cached copies of the items and start a new round without a delta token.',
};

/**
 * `calendarView/delta` (providers.md items 26–29). Tokens are opaque keys into server-side state, so a test
 * can expire them. A full round lists the view at the time of its first call; its deltaLink resumes from
 * the change log at that moment, so anything that changed during the round comes again in the next one
 * (Graph's replays). An incremental round reports every view item any logged version of a touched event
 * had in the window: still present → full item, otherwise `@removed`.
 */
export class DeltaEngine {
  private readonly tokens = new Map<string, TokenState>();
  private readonly store: MailboxStore;
  private readonly origin: string;
  private readonly nowMs: () => number;
  private replays = false;
  private emptyPages = 0;
  tokenLifetimeMs: number | null = null;

  constructor(store: MailboxStore, origin: string, nowMs: () => number) {
    this.store = store;
    this.origin = origin;
    this.nowMs = nowMs;
  }

  setReplays(enabled: boolean): void {
    this.replays = enabled;
  }

  injectEmptyPages(count: number): void {
    this.emptyPages += count;
  }

  /** Tokens issued so far (for one calendar, or all) answer 410 from now on. */
  expire(calendarId: string | undefined, code: DeltaExpiryCode, location: boolean): number {
    let count = 0;
    for (const state of this.tokens.values()) {
      if (calendarId !== undefined && state.calendarId !== calendarId) continue;
      state.expired = { code, location };
      count++;
    }
    return count;
  }

  handle(input: DeltaRequest): SimResponse {
    const { request, calendarId } = input;
    const skipToken = queryValue(request.query, '$skiptoken');
    const deltaToken = queryValue(request.query, '$deltatoken');
    let round: Round;
    let offset = 0;
    if (skipToken !== undefined) {
      const state = this.lookup(skipToken, calendarId, request);
      if (!state.round) throw badRequest('The $skiptoken is not valid here.', 'ErrorInvalidParameter');
      round = state.round;
      offset = state.offset ?? 0;
    } else if (deltaToken !== undefined && deltaToken !== '') {
      const state = this.lookup(deltaToken, calendarId, request);
      if (!state.window || state.seq === undefined) throw badRequest('The $deltatoken is not valid here.', 'ErrorInvalidParameter');
      round = this.incrementalRound(calendarId, state.window, state.seq);
    } else {
      round = this.fullRound(calendarId, this.windowOf(request));
    }
    return this.page(round, offset, input);
  }

  private windowOf(request: SimRequest): TimeWindow {
    const start = queryValue(request.query, 'startDateTime');
    const end = queryValue(request.query, 'endDateTime');
    if (!start || !end) {
      throw badRequest('This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.', 'ErrorInvalidParameter');
    }
    const startMs = parseWindowBound(start);
    const endMs = parseWindowBound(end);
    if (startMs === null || endMs === null) throw badRequest('StartDateTime and EndDateTime must be ISO 8601 date-times.', 'ErrorInvalidParameter');
    if (endMs <= startMs) throw badRequest('EndDateTime must be after StartDateTime.', 'ErrorInvalidParameter');
    return { startMs, endMs };
  }

  private lookup(token: string, calendarId: string, request: SimRequest): TokenState {
    const state = this.tokens.get(token);
    const expired = state?.expired ?? (state && this.tokenLifetimeMs !== null && this.nowMs() - state.issuedAtMs > this.tokenLifetimeMs ? { code: 'syncStateNotFound' as const, location: false } : null);
    if (!state || expired) {
      const code = expired?.code ?? 'syncStateNotFound';
      const headers: Record<string, string> = expired?.location ? { Location: `${this.origin}${request.rawPath}?$deltatoken=` } : {};
      throw new GraphHttpError(410, code, EXPIRY_MESSAGES[code], headers);
    }
    if (state.calendarId !== calendarId) throw badRequest('The token belongs to another calendar view.', 'ErrorInvalidParameter');
    return state;
  }

  private fullRound(calendarId: string, window: TimeWindow): Round {
    const refs = calendarView(this.store, calendarId, window).map((item) => ({ id: item.id, eventId: item.event.id }));
    return { calendarId, window, incremental: false, refs, baseSeq: this.store.seq };
  }

  private incrementalRound(calendarId: string, window: TimeWindow, sinceSeq: number): Round {
    const versions = new Map<string, StoredEvent[]>();
    for (const entry of this.store.changesSince(calendarId, sinceSeq)) {
      const list = versions.get(entry.eventId) ?? [];
      if (entry.before) list.push(entry.before);
      if (entry.after) list.push(entry.after);
      versions.set(entry.eventId, list);
    }
    const refs: ItemRef[] = [];
    for (const [eventId, list] of versions) {
      const ids = new Set<string>();
      for (const version of list) for (const item of itemsInWindow(version, window)) ids.add(item.id);
      for (const id of ids) refs.push({ id, eventId });
    }
    return { calendarId, window, incremental: true, refs, baseSeq: this.store.seq };
  }

  private page(round: Round, offset: number, input: DeltaRequest): SimResponse {
    const value: Record<string, unknown>[] = [];
    let next = offset;
    if (this.emptyPages > 0 && offset < round.refs.length) {
      this.emptyPages--;
    } else {
      const cache = new Map<string, Map<string, ViewItem>>();
      // A replayed item: the last one of the previous page comes again.
      const start = this.replays && offset > 0 ? offset - 1 : offset;
      next = Math.min(round.refs.length, offset + input.pageSize);
      for (const ref of round.refs.slice(start, next)) {
        const item = this.currentItem(ref, round, cache);
        if (item) value.push(renderItem(item, { ...input.render, withODataType: true }));
        else if (round.incremental) value.push({ '@odata.type': '#microsoft.graph.event', id: ref.id, '@removed': { reason: 'deleted' } });
      }
    }
    const body: Record<string, unknown> = { '@odata.context': `${this.origin}/v1.0/$metadata#Collection(event)` };
    const link = `${this.origin}${input.request.rawPath}`;
    if (next < round.refs.length) {
      body['@odata.nextLink'] = `${link}?$skiptoken=${this.issue({ calendarId: round.calendarId, issuedAtMs: this.nowMs(), expired: null, round, offset: next })}`;
    } else {
      const seq = this.replays ? this.replaySeq(round) : round.baseSeq;
      body['@odata.deltaLink'] = `${link}?$deltatoken=${this.issue({ calendarId: round.calendarId, issuedAtMs: this.nowMs(), expired: null, window: round.window, seq })}`;
    }
    body.value = value;
    return { status: 200, json: body };
  }

  /** With replays on, the next round starts one change early, so the last change comes twice. */
  private replaySeq(round: Round): number {
    const log = this.store.changesSince(round.calendarId, 0).filter((entry) => entry.seq <= round.baseSeq);
    const last = log[log.length - 1];
    return last ? last.seq - 1 : round.baseSeq;
  }

  private currentItem(ref: ItemRef, round: Round, cache: Map<string, Map<string, ViewItem>>): ViewItem | null {
    const event = this.store.event(ref.eventId);
    if (!event || event.calendarId !== round.calendarId) return null;
    let items = cache.get(event.id);
    if (!items) {
      items = new Map(itemsInWindow(event, round.window).map((item) => [item.id, item]));
      cache.set(event.id, items);
    }
    return items.get(ref.id) ?? null;
  }

  private issue(state: TokenState): string {
    if (this.tokens.size >= MAX_TOKENS) {
      let drop = MAX_TOKENS / 4;
      for (const key of this.tokens.keys()) {
        this.tokens.delete(key);
        if (--drop <= 0) break;
      }
    }
    const token = randomBytes(30).toString('base64url');
    this.tokens.set(token, state);
    return token;
  }
}
