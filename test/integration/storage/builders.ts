import { randomBytes } from 'node:crypto';
import type { CalendarEvent, ProviderEvent } from '../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../shared/domain/calendar.ts';
import type { Connection, Credentials } from '../../../shared/domain/connection.ts';
import { EnvelopeCredentialCipher } from '../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../shared/storage/encryption/local-key-wrapper.ts';
import { providerEvent, storedFrom } from '../../support/events.ts';

/** Builders of valid domain objects for storage tests; every field can be overridden. */
export const T0 = '2025-03-01T09:00:00.000Z';

export function localCipher(): EnvelopeCredentialCipher {
  return new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key: randomBytes(32) }) });
}

export function connection(tenantId: string, id: string, overrides: Partial<Connection> = {}): Connection {
  return {
    tenantId,
    id,
    provider: 'google',
    status: 'active',
    accountId: `acct-${tenantId}-${id}`,
    accountEmail: `${id}@${tenantId}.example`,
    displayName: null,
    serverUrl: null,
    consecutiveErrors: 0,
    lastError: null,
    lastSyncedAt: null,
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  };
}

export function oauthCredentials(accessToken: string, refreshToken: string | null = null): Credentials {
  return { kind: 'oauth', accessToken, refreshToken, expiresAt: Date.parse(T0) + 3_600_000, scope: 'calendar' };
}

export function calendar(tenantId: string, id: string, overrides: Partial<Calendar> = {}): Calendar {
  return {
    tenantId,
    id,
    connectionId: 'con_1',
    provider: 'google',
    providerCalendarId: `${id}@group.calendar.example`,
    name: `Calendar ${id}`,
    description: null,
    timeZone: 'Europe/Berlin',
    color: null,
    isPrimary: false,
    readOnly: false,
    syncEnabled: true,
    syncWindow: { pastDays: 30, futureDays: 365 },
    cursor: null,
    cursorVersion: 0,
    lastSyncStartedAt: null,
    lastSyncedAt: null,
    lastFullSyncAt: null,
    push: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function event(tenantId: string, calendarId: string, id: string, overrides: Partial<ProviderEvent> = {}): CalendarEvent {
  const provider = providerEvent(`p-${id}`, {
    iCalUID: `${id}@example`,
    title: `Event ${id}`,
    start: { dateTime: '2025-03-10T09:00:00.000Z', timeZone: 'Europe/Berlin' },
    end: { dateTime: '2025-03-10T10:00:00.000Z', timeZone: 'Europe/Berlin' },
    etag: `"etag-${id}"`,
    updated: T0,
    ...overrides,
  });
  return storedFrom(provider, { tenantId, connectionId: 'con_1', calendarId, id });
}

export function timed(startIso: string, endIso: string): Pick<ProviderEvent, 'start' | 'end'> {
  return { start: { dateTime: startIso, timeZone: null }, end: { dateTime: endIso, timeZone: null } };
}

export function allDay(startDate: string, endDate: string): Pick<ProviderEvent, 'start' | 'end'> {
  return { start: { date: startDate }, end: { date: endDate } };
}

/** Resolves to what `promise` rejected with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function shuffled<T>(values: readonly T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
