import { createHash } from 'node:crypto';
import { AppError } from '../../../domain/app-error.ts';
import { backoffDelayMs, type BackoffPolicy } from '../../../domain/backoff.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { VideoMeeting, VideoMeetingSpec, VideoProvider } from '../../../ports/video-provider.ts';
import { readZoomFailure, zoomError, zoomUnreachable } from './zoom-errors.ts';
import { zoomMeetingShape } from './zoom-recurrence.ts';
import type { ZoomAccessTokens } from './zoom-tokens.ts';

export interface ZoomVideoProviderOptions {
  /** ZOOM_API_URL, e.g. `https://api.zoom.us/v2`. */
  apiUrl: string;
  tokens: ZoomAccessTokens;
  /** The Zoom user hosting the meetings (id or email); `me` for a user-level grant. */
  userId: string;
  clock: Clock;
  /** Injected so tests see the waits without waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  timeoutMs?: number;
  /** Attempts per request for throttling and outages (Zoom's own clients retry 429 too). */
  maxAttempts?: number;
}

interface ZoomMeetingJson {
  id: number;
  type?: number;
  created_at?: string;
  topic?: string;
  start_time?: string;
  duration?: number;
  agenda?: string;
  join_url?: string;
  settings?: { global_dial_in_numbers?: { number?: string; country?: string }[] };
}

const RETRY: BackoffPolicy = { baseMs: 500, capMs: 8_000 };
/** Longest Retry-After we wait for in-process; beyond it the caller (a queue) retries later. */
const MAX_INLINE_WAIT_MS = 10_000;

/**
 * Zoom meetings over the REST API (providers.md item 53): type 2 (scheduled) with start, duration and
 * zone — for a series type 8 (Zoom's own series) or 3 (no fixed time), see zoomMeetingShape — waiting room
 * on and join-before-host off. Zoom has no idempotency key, so a create carries a short
 * reference derived from the key in its agenda; when a create's answer is lost, the host's meetings are
 * searched for it before anything is created again.
 */
export class ZoomVideoProvider implements VideoProvider {
  readonly kind = 'zoom' as const;
  readonly #options: ZoomVideoProviderOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: ZoomVideoProviderOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async createMeeting(spec: VideoMeetingSpec): Promise<VideoMeeting> {
    const marker = zoomReference(spec.key);
    const userPath = `/users/${encodeURIComponent(this.#options.userId)}`;
    const existing = await this.#findByMarker(userPath, marker);
    if (existing) return existing;
    const body = { ...this.#body(spec, marker), settings: { waiting_room: true, join_before_host: false } };
    const attempts = this.#options.maxAttempts ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return toMeeting((await this.#request('POST', `${userPath}/meetings`, body, 1)) as ZoomMeetingJson, spec);
      } catch (error) {
        if (!(error instanceof AppError) || !error.retryable || attempt + 1 >= attempts) throw error;
        // The answer may have been lost after Zoom created it: look before creating again.
        if (error.details?.ambiguous || error.code === 'video.unavailable') {
          const found = await this.#findByMarker(userPath, marker);
          if (found) return found;
        }
        await this.#sleep(this.#wait(error, attempt));
      }
    }
  }

  async getMeeting(ref: string): Promise<VideoMeeting | null> {
    return this.#read(ref, null);
  }

  async updateMeeting(ref: string, spec: VideoMeetingSpec): Promise<VideoMeeting> {
    // A PATCH is a full statement of type, start, duration, recurrence and topic: repeating it is harmless.
    await this.#request('PATCH', `/meetings/${encodeURIComponent(ref)}`, this.#body(spec, zoomReference(spec.key)));
    const meeting = await this.#read(ref, spec);
    if (!meeting) throw new AppError('video.not_found', `Zoom: meeting ${ref} is gone`, { retryable: false });
    return meeting;
  }

  /** The meeting as Zoom has it, null when gone; `asked` stands in for the times of a meeting with none of its own. */
  async #read(ref: string, asked: VideoMeetingSpec | null): Promise<VideoMeeting | null> {
    try {
      return toMeeting((await this.#request('GET', `/meetings/${encodeURIComponent(ref)}`)) as ZoomMeetingJson, asked);
    } catch (error) {
      if (error instanceof AppError && error.code === 'video.not_found') return null;
      throw error;
    }
  }

  async deleteMeeting(ref: string): Promise<void> {
    try {
      await this.#request('DELETE', `/meetings/${encodeURIComponent(ref)}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'video.not_found') return;
      throw error;
    }
  }

  /** The host's user record (connect checks the grant and the host with it). */
  async user(): Promise<{ id: string; email: string | null; accountId: string | null }> {
    const body = (await this.#request('GET', `/users/${encodeURIComponent(this.#options.userId)}`)) as { id: string; email?: string; account_id?: string };
    return { id: body.id, email: body.email ?? null, accountId: body.account_id ?? null };
  }

  #body(spec: VideoMeetingSpec, marker: string): Record<string, unknown> {
    const startMs = Date.parse(spec.start);
    const minutes = Math.max(1, Math.ceil((Date.parse(spec.end) - startMs) / 60_000));
    const shape = zoomMeetingShape(spec.recurrence, startMs, spec.timeZone);
    return {
      ...shape,
      topic: spec.title.slice(0, 200),
      start_time: new Date(startMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      duration: minutes,
      timezone: spec.timeZone,
      agenda: `${spec.description ? `${spec.description.slice(0, 1900)}\n\n` : ''}${marker}`,
    };
  }

  async #findByMarker(userPath: string, marker: string): Promise<VideoMeeting | null> {
    let pageToken = '';
    for (let page = 0; page < 10; page++) {
      const query = `?type=upcoming&page_size=300${pageToken ? `&next_page_token=${encodeURIComponent(pageToken)}` : ''}`;
      const body = (await this.#request('GET', `${userPath}/meetings${query}`)) as { meetings?: ZoomMeetingJson[]; next_page_token?: string };
      const found = (body.meetings ?? []).find((m) => m.agenda?.includes(marker));
      if (found) return (await this.getMeeting(String(found.id))) ?? toMeeting(found, null);
      pageToken = body.next_page_token ?? '';
      if (!pageToken) return null;
    }
    return null;
  }

  #wait(error: AppError, attempt: number): number {
    if (error.retryAfterMs !== undefined) return Math.min(MAX_INLINE_WAIT_MS, error.retryAfterMs);
    return backoffDelayMs(attempt, RETRY, this.#options.random);
  }

  /** One call: bearer token (renewed once on 401), 429 per-second limits and outages retried with backoff. */
  async #request(method: string, path: string, body?: unknown, attempts = this.#options.maxAttempts ?? 3): Promise<unknown> {
    let renewedToken = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.#options.tokens.token();
      let response: Response;
      try {
        response = await fetch(`${this.#options.apiUrl.replace(/\/+$/, '')}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
        });
      } catch (cause) {
        const error = zoomUnreachable(cause);
        if (attempt + 1 >= attempts) throw error;
        await this.#sleep(this.#wait(error, attempt));
        continue;
      }
      if (response.ok) {
        const text = await response.text();
        return text ? (JSON.parse(text) as unknown) : null;
      }
      const error = zoomError(await readZoomFailure(response), this.#options.clock.now().getTime());
      if (response.status === 401 && !renewedToken) {
        renewedToken = true;
        this.#options.tokens.invalidate();
        attempt -= 1;
        continue;
      }
      if (!error.retryable || attempt + 1 >= attempts) throw error;
      await this.#sleep(this.#wait(error, attempt));
    }
  }
}

/** A short, stable, non-secret reference for a meeting key (the key itself may hold tenant ids). */
export function zoomReference(key: string): string {
  return `ref:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** `asked`: the spec of the write Zoom answered, whose times stand for a meeting with no fixed time (type 3 may have none of its own). */
function toMeeting(json: ZoomMeetingJson, asked: VideoMeetingSpec | null): VideoMeeting {
  const startText = json.start_time ?? (json.type === 3 ? (asked?.start ?? json.created_at) : undefined);
  if (typeof json.id !== 'number' || !json.join_url || !startText) throw new AppError('video.unavailable', 'Zoom answered a meeting without id, join URL or start', { retryable: true });
  const startMs = Date.parse(startText);
  const dialIn = (json.settings?.global_dial_in_numbers ?? []).filter((n) => n.number).map((n) => ({ number: n.number!, country: n.country ?? null }));
  return {
    provider: 'zoom',
    ref: String(json.id),
    meetingId: String(json.id),
    joinUrl: json.join_url,
    ...(dialIn.length > 0 ? { dialIn } : {}),
    title: json.topic ?? '',
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + (json.duration ?? 0) * 60_000).toISOString(),
  };
}
