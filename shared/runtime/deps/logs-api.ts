import { AppError } from '../../domain/app-error.ts';
import type { CredentialCipher } from '../../ports/credential-cipher.ts';
import { DynamoCalendarStore } from '../../storage/dynamo-calendar-store.ts';
import { DynamoConnectionStore } from '../../storage/dynamo-connection-store.ts';
import { DynamoNotificationChannelStore } from '../../storage/dynamo-notification-channel-store.ts';
import { DynamoVideoConnectionStore } from '../../storage/dynamo-video-connection-store.ts';
import { DynamoWebhookDeliveryStore } from '../../storage/dynamo-webhook-delivery-store.ts';
import { DynamoWebhookEndpointStore } from '../../storage/dynamo-webhook-endpoint-store.ts';
import type { HealthDeps } from '../../use-cases/logs/integration-health.ts';
import { config } from '../config.ts';
import { clock } from './clock.ts';
import { integrationLogStore } from './integration-log.ts';
import { lazy } from './lazy.ts';
import { dynamoDocument } from './storage.ts';

/** api-logs reads metadata only and is given no key (least privilege): it never opens a secret. */
const refusingCipher: CredentialCipher = {
  seal: () => Promise.reject(new AppError('config.invalid', 'this function holds no key for secrets')),
  open: () => Promise.reject(new AppError('config.invalid', 'this function holds no key for secrets')),
};

const healthStores = lazy(() => {
  const common = { doc: dynamoDocument(), tableName: config().TABLE_NAME };
  return {
    connections: new DynamoConnectionStore({ ...common, cipher: refusingCipher, clock: clock() }),
    calendars: new DynamoCalendarStore({ ...common, clock: clock() }),
    videoConnections: new DynamoVideoConnectionStore({ ...common, cipher: refusingCipher }),
    endpoints: new DynamoWebhookEndpointStore({ ...common, cipher: refusingCipher }),
    deliveries: new DynamoWebhookDeliveryStore(common),
    channels: new DynamoNotificationChannelStore({ ...common, cipher: refusingCipher }),
  };
});

export function logsDeps() {
  return { integrationLog: integrationLogStore() };
}

export function healthDeps(): HealthDeps {
  const c = config();
  return { ...healthStores(), integrationLog: integrationLogStore(), clock: clock(), settings: { syncIntervalMinutes: c.SYNC_INTERVAL_MINUTES, pollIntervalMinutes: c.CALDAV_POLL_INTERVAL_MINUTES } };
}
