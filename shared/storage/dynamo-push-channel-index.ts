import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PushKind } from '../domain/calendar.ts';
import { Instant } from '../domain/timestamps.ts';
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { PushChannelEntry, PushChannelIndex } from '../ports/calendar-store.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { ENTITY_ATTRIBUTE, parseItem, toEpochSeconds, validForWrite } from './item-codec.ts';
import { keys } from './keys.ts';
import { TTL_ATTRIBUTE } from './table-schema.ts';

export interface DynamoPushChannelIndexOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
}

/**
 * Channel and subscription ids we create are short (Google allows 64 characters, Graph ids are GUIDs); a
 * push naming a longer one is not ours, and its key would exceed what DynamoDB accepts in a key (1 KB sort
 * key), which would surface as a 500 instead of "unknown channel".
 */
const MAX_CHANNEL_ID_BYTES = 256;

/** Pushes can still arrive shortly after a channel's expiry; the entry outlives it by a day, then TTL removes it. */
const GRACE_SECONDS = 86_400;

const PushChannelEntrySchema = z.object({
  channelId: z.string(),
  kind: PushKind,
  tenantId: z.string(),
  connectionId: z.string(),
  calendarId: z.string(),
  secretHash: z.string(),
  expiresAt: Instant,
});

/** The stored shape: the channel's ISO expiry under `channelExpiresAt`, because `expiresAt` is the table TTL. */
const StoredEntrySchema = z.extend(z.omit(PushChannelEntrySchema, { expiresAt: true }), { channelExpiresAt: Instant });

/**
 * Global lookup from a provider push (Google channel id, Graph subscription id) to its calendar: the push
 * carries no tenant, so this is one of the two tenant-less keys (keys.ts). The entry carries the tenant.
 */
export class DynamoPushChannelIndex implements PushChannelIndex {
  readonly #doc: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: DynamoPushChannelIndexOptions) {
    this.#doc = options.doc;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async put(entry: PushChannelEntry): Promise<void> {
    const { expiresAt, ...rest } = validForWrite(PushChannelEntrySchema, entry, 'push channel');
    const item = {
      ...keys.pushChannel(rest.channelId),
      [ENTITY_ATTRIBUTE]: 'push-channel',
      ...rest,
      channelExpiresAt: new Date(expiresAt).toISOString(),
      [TTL_ATTRIBUTE]: toEpochSeconds(Date.parse(expiresAt)) + GRACE_SECONDS,
    };
    await dynamoCall('PushChannelIndex.put', () => this.#doc.send(new PutCommand({ TableName: this.#tableName, Item: item })));
  }

  async get(channelId: string): Promise<PushChannelEntry | null> {
    if (Buffer.byteLength(channelId, 'utf8') > MAX_CHANNEL_ID_BYTES) return null;
    const output = await dynamoCall('PushChannelIndex.get', () =>
      this.#doc.send(new GetCommand({ TableName: this.#tableName, Key: keys.pushChannel(channelId), ConsistentRead: true })),
    );
    const item = output.Item;
    // TTL deletion lags by up to days; past its TTL an entry is gone as far as readers are concerned.
    if (!item || typeof item[TTL_ATTRIBUTE] !== 'number' || item[TTL_ATTRIBUTE] <= toEpochSeconds(this.#clock.now())) return null;
    const { channelExpiresAt, ...entry } = parseItem(StoredEntrySchema, item, 'push-channel');
    return { ...entry, expiresAt: channelExpiresAt };
  }

  async delete(channelId: string): Promise<void> {
    await dynamoCall('PushChannelIndex.delete', () => this.#doc.send(new DeleteCommand({ TableName: this.#tableName, Key: keys.pushChannel(channelId) })));
  }
}
