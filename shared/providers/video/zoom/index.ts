export { ZoomVideoProvider, zoomReference, type ZoomVideoProviderOptions } from './zoom-video-provider.ts';
export { ZoomS2STokens, ZoomUserTokens, requestS2SToken, zoomUserGrant, zoomTokenUrl, ZOOM_TOKEN_RENEW_BEFORE_MS } from './zoom-tokens.ts';
export type { S2SCredentials, StoredZoomUserToken, ZoomAccessTokens, ZoomUserApp, ZoomUserTokenVault } from './zoom-tokens.ts';
export { zoomError } from './zoom-errors.ts';
export { HttpZoomConnector, type ZoomConnectorOptions } from './zoom-connector.ts';
