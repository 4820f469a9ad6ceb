import { DynamoBusyIndexBackfillStore } from '../../storage/dynamo-busy-index-backfill-store.ts';
import type { BackfillBusyIndexDeps } from '../../use-cases/backfill-busy-index.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { dynamoDocument } from './storage.ts';

/** A file of its own: only the backfill function bundles the table-wide walk over event items. */
const backfillStore = lazy(() => new DynamoBusyIndexBackfillStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME }));

export function backfillBusyIndexDeps(): BackfillBusyIndexDeps {
  return { store: backfillStore(), clock: clock(), log: logger };
}
