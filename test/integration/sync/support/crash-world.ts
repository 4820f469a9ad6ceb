import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProviderEvent } from '../../../../shared/domain/calendar-event.ts';
import type { Calendar } from '../../../../shared/domain/calendar.ts';
import type { Connection } from '../../../../shared/domain/connection.ts';
import { DynamoCalendarStore } from '../../../../shared/storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../../../shared/storage/dynamo-connection-store.ts';
import { DynamoEventStore } from '../../../../shared/storage/dynamo-event-store.ts';
import { EnvelopeCredentialCipher } from '../../../../shared/storage/encryption/envelope-credential-cipher.ts';
import { LocalKeyWrapper } from '../../../../shared/storage/encryption/local-key-wrapper.ts';
import { InMemoryCalendarProvider } from '../../../fakes/in-memory-calendar-provider.ts';
import { providerEvent } from '../../../support/events.ts';

/**
 * What the crash test's parent and its killed child both build: stores on the same DynamoDB Local table,
 * and a provider holding the same events (fixed ids, so both see one truth).
 */
export const EVENTS = 12;
export const PAGE_SIZE = 4;

export function worldEvents(): ProviderEvent[] {
  return Array.from({ length: EVENTS }, (_v, i) => {
    const start = Date.parse('2026-12-01T10:00:00Z') + i * 86_400_000;
    return providerEvent(`crash-e${i}`, {
      iCalUID: `crash-e${i}@x`,
      title: `Event ${i}`,
      start: { dateTime: new Date(start).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
      end: { dateTime: new Date(start + 1_800_000).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' },
    });
  });
}

export function worldProvider(): InMemoryCalendarProvider {
  const provider = new InMemoryCalendarProvider({ pageSize: PAGE_SIZE });
  provider.addCalendar({ providerCalendarId: 'primary' });
  for (const event of worldEvents()) provider.upsertAsUser('primary', event);
  return provider;
}

export function worldStores(endpoint: string, tableName: string, keyBase64: string) {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const cipher = new EnvelopeCredentialCipher({ keyWrapper: LocalKeyWrapper.fromBase64(keyBase64) });
  const common = { doc, tableName };
  return {
    client,
    calendars: new DynamoCalendarStore(common),
    events: new DynamoEventStore({ ...common, batchRetry: { baseDelayMs: 5 } }),
    connections: new DynamoConnectionStore({ ...common, cipher }),
  };
}

export type { Calendar, Connection };
