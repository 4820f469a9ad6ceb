import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { CalendarEvent } from '../domain/calendar-event.ts';
import type { BusyIndexBackfillProgress, BusyIndexBackfillStore, StaleEventIndex } from '../ports/busy-index-backfill.ts';
import { dynamoCall, isConditionalCheckFailed, translateDynamoError } from './dynamo-errors.ts';
import { EVENT_INDEX_ATTRIBUTES, EVENT_INDEX_KEYS, eventItem } from './event-item.ts';
import { ENTITY_ATTRIBUTE, parseItem, type StoredItem } from './item-codec.ts';

/** The walk's progress; its `completedAt` is also what DynamoEventStore reads to switch busy time to gsi4. */
export const BUSY_INDEX_PROGRESS_KEY = { pk: 'SYS#busy-index', sk: 'PROGRESS' } as const;

const Progress = z.object({
  cursor: z.nullable(z.string()),
  reindexed: z.int(),
  alreadyCurrent: z.int(),
  changedMeanwhile: z.int(),
  startedAt: z.string(),
  completedAt: z.nullable(z.string()),
});

/** The attributes an event item derives from its content for the indexes (keys, span, busy instants). */
const DERIVED_ATTRIBUTES: readonly string[] = [...EVENT_INDEX_KEYS, ...EVENT_INDEX_ATTRIBUTES];

/** Whether the busy-index backfill has completed (an eventually consistent read: a moment late is only slower). */
export async function busyIndexBackfillCompleted(doc: DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  const output = await dynamoCall('EventStore.busyIndexReady', () =>
    doc.send(new GetCommand({ TableName: tableName, Key: BUSY_INDEX_PROGRESS_KEY, ProjectionExpression: 'progress.completedAt' })),
  );
  const completedAt = (output.Item?.progress as { completedAt?: unknown } | undefined)?.completedAt;
  return typeof completedAt === 'string';
}

/**
 * A table scan (every tenant) filtered to event items. Each is decoded and run through `eventItem`, the
 * writer's own item builder, so the backfill can never derive keys the writers would not; only the derived
 * attributes that differ are rewritten, conditional on the item's content hash being the one read.
 */
export class DynamoBusyIndexBackfillStore implements BusyIndexBackfillStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string }) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
  }

  async listStale(cursor: string | null, limit: number): Promise<{ stale: StaleEventIndex[]; examined: number; cursor: string | null }> {
    const output = await dynamoCall('BusyIndexBackfillStore.listStale', () =>
      this.#doc.send(
        new ScanCommand({
          TableName: this.#tableName,
          FilterExpression: '#entity = :event',
          ExpressionAttributeNames: { '#entity': ENTITY_ATTRIBUTE },
          ExpressionAttributeValues: { ':event': 'event' },
          Limit: limit,
          ExclusiveStartKey: cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined,
        }),
      ),
    );
    const items = (output.Items ?? []) as StoredItem[];
    const stale: StaleEventIndex[] = [];
    for (const item of items) {
      const wanted = eventItem(parseItem(CalendarEvent, item, 'event', EVENT_INDEX_ATTRIBUTES));
      const set: Record<string, string | number> = {};
      const remove: string[] = [];
      for (const name of DERIVED_ATTRIBUTES) {
        const value = wanted[name];
        if (value === undefined) {
          if (item[name] !== undefined) remove.push(name);
        } else if (item[name] !== value && (typeof value === 'string' || typeof value === 'number')) {
          set[name] = value;
        }
      }
      if (Object.keys(set).length > 0 || remove.length > 0) {
        stale.push({ itemKey: { pk: String(item.pk), sk: String(item.sk) }, contentHash: String(item.contentHash), set, remove });
      }
    }
    const next = output.LastEvaluatedKey ? Buffer.from(JSON.stringify(output.LastEvaluatedKey), 'utf8').toString('base64url') : null;
    return { stale, examined: items.length, cursor: next };
  }

  async reindex(stale: StaleEventIndex): Promise<boolean> {
    const names: Record<string, string> = { '#hash': 'contentHash' };
    const values: Record<string, unknown> = { ':hash': stale.contentHash };
    const sets = Object.entries(stale.set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removes = stale.remove.map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    const update = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: stale.itemKey,
          UpdateExpression: update,
          ConditionExpression: '#hash = :hash',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw translateDynamoError(error, 'BusyIndexBackfillStore.reindex');
    }
    return true;
  }

  async loadProgress(): Promise<BusyIndexBackfillProgress | null> {
    const output = await dynamoCall('BusyIndexBackfillStore.loadProgress', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: BUSY_INDEX_PROGRESS_KEY, ConsistentRead: true })),
    );
    return output.Item ? Progress.parse(output.Item.progress) : null;
  }

  async saveProgress(progress: BusyIndexBackfillProgress): Promise<void> {
    await dynamoCall('BusyIndexBackfillStore.saveProgress', () =>
      this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: { ...BUSY_INDEX_PROGRESS_KEY, [ENTITY_ATTRIBUTE]: 'busy-index-progress', progress: Progress.parse(progress) } })),
    );
  }
}
