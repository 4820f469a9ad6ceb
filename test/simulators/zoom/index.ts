export { startZoomSimulator, seedZoomSandbox, ZoomSimulator, SANDBOX_S2S, SANDBOX_HOST_EMAIL } from './zoom-simulator.ts';
export type { S2SApp, ZoomFailSpec, ZoomMeeting, ZoomRequestLogEntry, ZoomSimulatorOptions, ZoomUser } from './zoom-simulator.ts';
export { encryptedToken, signedRequest, zoomSignature } from './webhooks.ts';
export type { WebhookDelivery } from './webhooks.ts';
