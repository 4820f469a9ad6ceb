import { DynamoSealedSecretRekeyStore } from '../../storage/dynamo-sealed-secret-rekey-store.ts';
import type { RotateSealedSecretsDeps } from '../../use-cases/rotate-sealed-secrets.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { lazy } from './lazy.ts';
import { credentialCipher, dynamoDocument } from './storage.ts';

/** A file of its own: only the rekey function bundles the table-wide walk over sealed secrets. */
const rekeyStore = lazy(() => new DynamoSealedSecretRekeyStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

export function rotateSealedSecretsDeps(): RotateSealedSecretsDeps {
  return { store: rekeyStore(), clock: clock(), log: logger };
}
