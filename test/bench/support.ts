import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import type { CalendarEvent } from '../../shared/domain/calendar-event.ts';
import type { EventStore } from '../../shared/ports/event-store.ts';
import { ensureTable } from '../../shared/storage/create-table.ts';
import { createDynamoDocumentClient } from '../../shared/storage/dynamo-client.ts';
import { DynamoCalendarStore } from '../../shared/storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../shared/storage/dynamo-connection-store.ts';
import { DynamoEventStore } from '../../shared/storage/dynamo-event-store.ts';
import { DynamoPushChannelIndex } from '../../shared/storage/dynamo-push-channel-index.ts';
import { EnvelopeCredentialCipher } from '../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../shared/storage/encryption/local-key-wrapper.ts';
import type { TestStores } from '../support/stores.ts';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** DynamoDB Local with the table and the stores, for benchmarks (which run outside vitest). */
export async function benchStores(): Promise<{ stores: Omit<TestStores, 'table' | 'oauthStates' | 'idempotency'>; dynamo: DynamoDbLocal; stop(): Promise<void> }> {
  const dynamo = await startDynamoDbLocal();
  const tableName = 'bench';
  const admin = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(admin, tableName);
  const doc = createDynamoDocumentClient({ region: 'us-east-1', endpoint: dynamo.endpoint });
  const cipher = new EnvelopeCredentialCipher({ keyWrapper: new LocalKeyWrapper({ key: randomBytes(32) }) });
  return {
    dynamo,
    stores: {
      cipher,
      connections: new DynamoConnectionStore({ doc, tableName, cipher }),
      calendars: new DynamoCalendarStore({ doc, tableName }),
      events: new DynamoEventStore({ doc, tableName }),
      pushChannels: new DynamoPushChannelIndex({ doc, tableName }),
    },
    async stop() {
      admin.destroy();
      await dynamo.stop();
    },
  };
}

/**
 * Counts event writes and their DynamoDB write units: one unit per started KB of the item, written twice
 * (the table and the time index, gsi1), which is what on-demand billing charges.
 */
export function countingEventStore(inner: EventStore) {
  const counts = { items: 0, deletes: 0, writeUnits: 0 };
  const units = (event: CalendarEvent) => 2 * Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(event)) / 1024));
  const store: EventStore = {
    getMany: (...a) => inner.getMany(...a),
    listVersions: (...a) => inner.listVersions(...a),
    listAll: (...a) => inner.listAll(...a),
    listInRange: (...a) => inner.listInRange(...a),
    listBusyInRange: (...a) => inner.listBusyInRange(...a),
    deleteAllOfCalendar: (...a) => inner.deleteAllOfCalendar(...a),
    putMany: async (events) => {
      counts.items += events.length;
      counts.writeUnits += events.reduce((sum, e) => sum + units(e), 0);
      return inner.putMany(events);
    },
    deleteMany: async (t, c, ids) => {
      counts.deletes += ids.length;
      counts.writeUnits += ids.length * 2;
      return inner.deleteMany(t, c, ids);
    },
  };
  return { store, counts, reset: () => Object.assign(counts, { items: 0, deletes: 0, writeUnits: 0 }) };
}
