import { randomBytes } from 'node:crypto';
import type { Calendar } from '../../shared/domain/calendar.ts';
import type { Connection } from '../../shared/domain/connection.ts';
import type { DomainEvent } from '../../shared/domain/domain-events.ts';
import { stableId } from '../../shared/domain/ids.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { EventPublisher } from '../../shared/ports/event-publisher.ts';
import { DynamoCalendarStore } from '../../shared/storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../shared/storage/dynamo-connection-store.ts';
import { DynamoEventStore } from '../../shared/storage/dynamo-event-store.ts';
import { DynamoIdempotencyStore } from '../../shared/storage/dynamo-idempotency-store.ts';
import { DynamoOAuthStateStore } from '../../shared/storage/dynamo-oauth-state-store.ts';
import { DynamoPushChannelIndex } from '../../shared/storage/dynamo-push-channel-index.ts';
import { EnvelopeCredentialCipher } from '../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../shared/storage/encryption/local-key-wrapper.ts';
import { createTestTable, type TestTable } from './dynamo.ts';

/** A clock tests can move. */
export class TestClock implements Clock {
  private current: number;
  constructor(start: string | number = '2026-11-23T12:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(iso: string): void {
    this.current = Date.parse(iso);
  }
}

/** Collects published domain events (and can be told to fail, like EventBridge would). */
export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];
  failNext = 0;
  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('EventBridge unavailable');
    }
    this.events.push(...events);
  }
  ofType(type: DomainEvent['type']): DomainEvent[] {
    return this.events.filter((event) => event.type === type);
  }
  clear(): void {
    this.events.length = 0;
  }
}

export interface TestStores {
  table: TestTable;
  cipher: EnvelopeCredentialCipher;
  connections: DynamoConnectionStore;
  calendars: DynamoCalendarStore;
  events: DynamoEventStore;
  pushChannels: DynamoPushChannelIndex;
  oauthStates: DynamoOAuthStateStore;
  idempotency: DynamoIdempotencyStore;
}

export async function createTestStores(clock?: Clock): Promise<TestStores> {
  const table = await createTestTable('stores');
  const cipher = new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key: randomBytes(32) }) });
  const common = { doc: table.doc, tableName: table.tableName };
  return {
    table,
    cipher,
    connections: new DynamoConnectionStore({ ...common, cipher, ...(clock ? { clock } : {}) }),
    calendars: new DynamoCalendarStore({ ...common, ...(clock ? { clock } : {}) }),
    events: new DynamoEventStore({ ...common, batchRetry: { baseDelayMs: 5 } }),
    pushChannels: new DynamoPushChannelIndex({ ...common, ...(clock ? { clock } : {}) }),
    oauthStates: new DynamoOAuthStateStore({ ...common, cipher }),
    idempotency: new DynamoIdempotencyStore({ ...common, ...(clock ? { clock } : {}) }),
  };
}

export function testConnection(tenantId: string, overrides: Partial<Connection> = {}): Connection {
  const now = '2026-11-01T00:00:00.000Z';
  return {
    tenantId,
    id: stableId('con', tenantId, 'google', overrides.accountId ?? 'user-1'),
    provider: 'google',
    status: 'active',
    accountId: 'user-1',
    accountEmail: 'user-1@example.com',
    displayName: null,
    serverUrl: null,
    consecutiveErrors: 0,
    lastError: null,
    lastSyncedAt: null,
    createdAt: now,
    updatedAt: now,
    version: 0,
    ...overrides,
  };
}

export function testCalendar(connection: Connection, overrides: Partial<Calendar> = {}): Calendar {
  const now = '2026-11-01T00:00:00.000Z';
  return {
    tenantId: connection.tenantId,
    id: stableId('cal', connection.id, overrides.providerCalendarId ?? 'primary'),
    connectionId: connection.id,
    provider: connection.provider,
    providerCalendarId: 'primary',
    name: 'Primary',
    description: null,
    timeZone: 'UTC',
    color: null,
    isPrimary: true,
    readOnly: false,
    syncEnabled: true,
    syncWindow: { pastDays: 30, futureDays: 365 },
    cursor: null,
    cursorVersion: 0,
    lastSyncStartedAt: null,
    lastSyncedAt: null,
    lastFullSyncAt: null,
    push: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * A calendar whose full sync completed at `fullSyncAt` and that keeps syncing (a cursor), so free/busy trusts
 * its store inside the mirrored window (shared/domain/mirrored-window.ts); `testCalendar` alone is a calendar
 * whose first sync has not finished, answered by its provider.
 */
export function syncedCalendar(connection: Connection, overrides: Partial<Calendar> = {}, fullSyncAt = '2026-11-01T00:00:00.000Z'): Calendar {
  return testCalendar(connection, { cursor: 'test-cursor', lastSyncStartedAt: fullSyncAt, lastSyncedAt: fullSyncAt, lastFullSyncAt: fullSyncAt, ...overrides });
}
