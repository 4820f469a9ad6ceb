import { SANDBOX_S2S, seedZoomSandbox, startZoomSimulator, type ZoomSimulator } from '../../test/simulators/zoom/index.ts';

/** The sandbox webhook secret token: the simulator signs /hooks/zoom requests with it. */
export const SANDBOX_ZOOM_WEBHOOK_SECRET = 'sandbox-zoom-webhook-secret';

/** The running simulator, for tests that act as the host in Zoom's app (move or delete a meeting). */
export const zoomSandbox: { simulator?: ZoomSimulator } = {};

/**
 * Runs the Zoom simulator in-process with the sandbox account (Server-to-Server app `sandbox-account` /
 * `sandbox-client` / `sandbox-secret`, host sandbox.host@example.com), a user-level OAuth app that consents
 * as that host, and a webhook subscription to PUBLIC_BASE_URL/hooks/zoom signed with a sandbox secret
 * token. Points the ZOOM_* settings at it; the previous settings come back on stop.
 */
export async function startZoomSandbox(): Promise<{ description: string; stop(): Promise<void> }> {
  const simulator = await startZoomSimulator({ autoConsentUser: 'sandbox.host@example.com' });
  const { host } = seedZoomSandbox(simulator);
  const settings = {
    ZOOM_OAUTH_URL: simulator.endpoints.oauthUrl,
    ZOOM_API_URL: simulator.endpoints.apiUrl,
    ZOOM_CLIENT_ID: simulator.clientId,
    ZOOM_CLIENT_SECRET: simulator.clientSecret,
    ZOOM_WEBHOOK_SECRET_TOKEN: SANDBOX_ZOOM_WEBHOOK_SECRET,
  };
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  const publicBaseUrl = (process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
  simulator.subscribe(`${publicBaseUrl}/hooks/zoom`, SANDBOX_ZOOM_WEBHOOK_SECRET);
  zoomSandbox.simulator = simulator;
  return {
    description: `simulator at ${simulator.endpoints.oauthUrl} (Server-to-Server app: accountId ${SANDBOX_S2S.accountId}, clientId ${SANDBOX_S2S.clientId}, clientSecret ${SANDBOX_S2S.clientSecret}; host ${host.email}; webhooks to ${publicBaseUrl}/hooks/zoom)`,
    async stop() {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      delete zoomSandbox.simulator;
      await simulator.stop();
    },
  };
}
