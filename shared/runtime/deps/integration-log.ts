import { DynamoIntegrationLogStore } from '../../storage/dynamo-integration-log-store.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { dynamoDocument } from './storage.ts';

/** The integration log (writes from every function that does integration work; reads from api-logs). */
export const integrationLogStore = lazy(() => new DynamoIntegrationLogStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, clock: clock() }));
