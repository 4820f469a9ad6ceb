import type { BookingConferencing } from '../../ports/booking-conferencing.ts';
import type { ZoomConnector } from '../../ports/zoom-connector.ts';
import { HttpZoomConnector } from '../../providers/video/zoom/zoom-connector.ts';
import { DynamoBookingStore } from '../../storage/dynamo-booking-store.ts';
import { DynamoVideoConnectionStore } from '../../storage/dynamo-video-connection-store.ts';
import type { ZoomAuthorizationDeps, ZoomConnectDeps } from '../../use-cases/video/connect-zoom.ts';
import type { ManageZoomConnectionsDeps } from '../../use-cases/video/manage-zoom-connections.ts';
import { ZoomBookingConferencing } from '../../use-cases/video/zoom-booking-conferencing.ts';
import type { ZoomWebhookDeps } from '../../use-cases/video/zoom-webhook.ts';
import { config } from '../config.ts';
import { logger } from '../logger.ts';
import { clock } from './clock.ts';
import { integrationLogStore } from './integration-log.ts';
import { lazy } from './lazy.ts';
import { eventPublisher } from './messaging.ts';
import { providerSecrets } from './providers.ts';
import { credentialCipher, dynamoDocument, oauthStateStore } from './storage.ts';
import { oauthSettings } from './write-side.ts';

/** Zoom connections, usage counters and booking meetings (one store, three item kinds). */
export const videoConnectionStore = lazy(() => new DynamoVideoConnectionStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME, cipher: credentialCipher() }));

export const zoomConnector = lazy(
  (): ZoomConnector =>
    new HttpZoomConnector({
      oauthUrl: config().ZOOM_OAUTH_URL,
      apiUrl: config().ZOOM_API_URL,
      userApp: async () => {
        const zoom = (await providerSecrets().get()).zoom;
        return zoom ? { clientId: zoom.clientId, clientSecret: zoom.clientSecret } : null;
      },
      store: videoConnectionStore(),
      clock: clock(),
    }),
);

export function zoomConnectDeps(): ZoomConnectDeps {
  return { videoConnections: videoConnectionStore(), zoom: zoomConnector(), clock: clock() };
}

/** Disconnect: it logs a failed revoke of a user grant at Zoom. */
export function zoomManageDeps(): ManageZoomConnectionsDeps {
  return { ...zoomConnectDeps(), log: logger };
}

export function zoomAuthorizationDeps(): ZoomAuthorizationDeps {
  return { ...zoomConnectDeps(), oauthStates: oauthStateStore(), settings: oauthSettings() };
}

/**
 * The seam bookings call for Zoom meetings (shared/ports/booking-conferencing.ts), wired for api-bookings
 * (and any other function that makes, moves or cancels bookings).
 */
export const bookingConferencing = lazy(
  (): BookingConferencing =>
    new ZoomBookingConferencing({ videoConnections: videoConnectionStore(), meetings: videoConnectionStore(), zoom: zoomConnector(), publisher: eventPublisher(), log: logger, clock: clock(), integrationLog: integrationLogStore() }),
);

export async function zoomWebhookDeps(): Promise<ZoomWebhookDeps> {
  // The environment wins (local stack); in AWS the token sits in the provider secret.
  const secretToken = config().ZOOM_WEBHOOK_SECRET_TOKEN ?? (await providerSecrets().get()).zoom?.webhookSecretToken ?? null;
  // Its own booking store object (stateless) rather than deps/bookings.ts's, which imports this file.
  const bookings = new DynamoBookingStore({ doc: dynamoDocument(), tableName: config().TABLE_NAME });
  return { secretToken, meetings: videoConnectionStore(), bookings, publisher: eventPublisher(), log: logger, clock: clock() };
}
