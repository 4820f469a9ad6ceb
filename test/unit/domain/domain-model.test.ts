import { describe, expect, it } from 'vitest';
import { eventContentHash } from '../../../shared/domain/content-hash.ts';
import { syncWindowRange, SyncWindow } from '../../../shared/domain/calendar.ts';
import type { ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import { newId, stableId, ulid } from '../../../shared/domain/ids.ts';
import { eventTypeMatches } from '../../../shared/domain/webhook-endpoint.ts';
import { AppError, isAppError, toAppError } from '../../../shared/domain/app-error.ts';
import { ResourceId } from '../../../shared/api/common.ts';
import { providerEvent } from '../../support/events.ts';

const baseEvent: ProviderEvent = providerEvent('e1', {
  iCalUID: 'e1@x',
  title: 'Standup',
  start: { dateTime: '2026-01-05T09:00:00Z', timeZone: 'UTC' },
  end: { dateTime: '2026-01-05T09:15:00Z', timeZone: 'UTC' },
  etag: '"1"',
  updated: '2026-01-01T00:00:00Z',
});

describe('domain model', () => {
  it('hashes content, not etag or updated, and independent of key order', () => {
    const reordered = Object.fromEntries(Object.entries(baseEvent).reverse()) as ProviderEvent;
    expect(eventContentHash(reordered)).toBe(eventContentHash(baseEvent));
    expect(eventContentHash({ ...baseEvent, etag: '"2"', updated: '2026-02-01T00:00:00Z' })).toBe(eventContentHash(baseEvent));
    expect(eventContentHash({ ...baseEvent, title: 'Standup!' })).not.toBe(eventContentHash(baseEvent));
    expect(eventContentHash({ ...baseEvent, attendees: [{ email: 'a@b.c', name: null, responseStatus: 'accepted', optional: false, organizer: false, self: false }] })).not.toBe(eventContentHash(baseEvent));
  });

  it('generates sortable ids and deterministic stable ids that the API accepts', () => {
    const a = newId('con', 1_000);
    const b = newId('con', 2_000);
    expect(a < b).toBe(true);
    expect(ulid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(stableId('evt', 'cal', 'x')).toBe(stableId('evt', 'cal', 'x'));
    expect(stableId('evt', 'cal', 'x')).not.toBe(stableId('evt', 'cal', 'y'));
    expect(stableId('evt', 'ca', 'lx')).not.toBe(stableId('evt', 'cal', 'x'));
    expect(ResourceId.safeParse(a).success).toBe(true);
    expect(ResourceId.safeParse(stableId('con', 't', 'google', 'sub')).success).toBe(true);
  });

  it('defaults and bounds the sync window, and aligns its range to whole days', () => {
    expect(SyncWindow.parse({})).toEqual({ pastDays: 30, futureDays: 365 });
    expect(SyncWindow.safeParse({ pastDays: 6 }).success).toBe(false);
    expect(SyncWindow.safeParse({ futureDays: 366 }).success).toBe(false);
    const range = syncWindowRange({ pastDays: 30, futureDays: 365 }, new Date('2026-11-23T15:00:00Z'));
    expect(range.start.toISOString()).toBe('2026-10-24T00:00:00.000Z');
    expect(range.end.toISOString()).toBe('2027-11-24T00:00:00.000Z');
  });

  it('matches event-type filters exactly, by prefix or all', () => {
    expect(eventTypeMatches(['*'], 'calendar.event.created')).toBe(true);
    expect(eventTypeMatches(['calendar.*'], 'calendar.event.created')).toBe(true);
    expect(eventTypeMatches(['calendar.event.*'], 'calendar.sync.completed')).toBe(false);
    expect(eventTypeMatches(['connection.created'], 'connection.created')).toBe(true);
    expect(eventTypeMatches(['connection.created'], 'connection.created.x')).toBe(false);
  });

  it('keeps AppErrors typed with prefix matching and retryable defaults', () => {
    const error = new AppError('provider.rate_limited', 'slow', { retryAfterMs: 5 });
    expect(isAppError(error, 'provider.')).toBe(true);
    expect(isAppError(error, 'provider.unavailable')).toBe(false);
    expect(error.retryable).toBe(true);
    expect(new AppError('provider.auth_revoked', 'x').retryable).toBe(false);
    expect(toAppError(new Error('x')).code).toBe('internal.unexpected');
  });
});
