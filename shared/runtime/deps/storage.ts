import { DynamoCalendarStore } from '../../storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../storage/dynamo-connection-store.ts';
import { DynamoEventStore } from '../../storage/dynamo-event-store.ts';
import { DynamoIdempotencyStore } from '../../storage/dynamo-idempotency-store.ts';
import { DynamoOAuthStateStore } from '../../storage/dynamo-oauth-state-store.ts';
import { DynamoPushChannelIndex } from '../../storage/dynamo-push-channel-index.ts';
import { createDynamoDocumentClient } from '../../storage/dynamo-client.ts';
import { createCredentialCipher } from '../../storage/encryption/create-credential-cipher.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';

export const dynamoDocument = lazy(() => createDynamoDocumentClient({ region: config().AWS_REGION, endpoint: config().DYNAMODB_ENDPOINT }));

export const credentialCipher = lazy(() => createCredentialCipher(config()));

export const connectionStore = lazy(
  () => new DynamoConnectionStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher(), clock: clock() }),
);

export const calendarStore = lazy(() => new DynamoCalendarStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, clock: clock() }));

export const eventStore = lazy(() => new DynamoEventStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export const pushChannelIndex = lazy(() => new DynamoPushChannelIndex({ doc: dynamoDocument(), tableName: config().TABLE_NAME, clock: clock() }));

export const oauthStateStore = lazy(() => new DynamoOAuthStateStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

export const idempotencyStore = lazy(() => new DynamoIdempotencyStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, clock: clock() }));
