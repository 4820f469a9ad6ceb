import { seedSandbox, startGoogleSimulator } from '../../test/simulators/google/index.ts';

export const SANDBOX_GOOGLE_USER = 'sandbox.user@example.com';

/**
 * Runs the Google simulator in-process with a seeded user (a meeting, an all-day event, a free block and a
 * weekly series with a moved and a cancelled instance) and points the GOOGLE_* settings at it. Consent is
 * automatic for the seeded user, so the connect flow works with curl alone.
 */
export async function startGoogleSandbox(): Promise<{ description: string; stop(): Promise<void> }> {
  const simulator = await startGoogleSimulator({ autoConsentUser: SANDBOX_GOOGLE_USER });
  seedSandbox(simulator, { email: SANDBOX_GOOGLE_USER });
  Object.assign(process.env, {
    GOOGLE_OAUTH_AUTHORIZE_URL: simulator.endpoints.authorizeUrl,
    GOOGLE_OAUTH_TOKEN_URL: simulator.endpoints.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: simulator.endpoints.revokeUrl,
    GOOGLE_USERINFO_URL: simulator.endpoints.userinfoUrl,
    GOOGLE_API_URL: simulator.endpoints.apiRootUrl,
    GOOGLE_CLIENT_ID: simulator.clientId,
    GOOGLE_CLIENT_SECRET: simulator.clientSecret,
  });
  sandboxSimulators.google = simulator;
  return { description: `simulator at ${simulator.url} (user ${SANDBOX_GOOGLE_USER})`, stop: () => simulator.stop() };
}

/** The running simulators, for tests that drive the sandbox as the provider's user. */
export const sandboxSimulators: { google?: Awaited<ReturnType<typeof startGoogleSimulator>> } = {};
