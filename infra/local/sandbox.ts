import { startGoogleSandbox } from './sandbox-google.ts';
import { startMicrosoftSandbox } from './sandbox-microsoft.ts';
import { startZoomSandbox } from './sandbox-zoom.ts';

/**
 * Sandbox mode: when a provider has no credentials configured, the local stack runs our simulator of it
 * in-process and points the provider settings at it, so the whole flow — connect, sync, change, push,
 * webhook — can be tried with no cloud account. With credentials, the real provider is used.
 */
export interface SandboxProviders {
  /** Provider name → short description for the start banner. */
  running: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSandboxProviders(mode: 'auto' | 'on' | 'off', _log: (line: string) => void): Promise<SandboxProviders> {
  const running: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  const wanted = (credentialVariable: string) => mode === 'on' || (mode === 'auto' && !process.env[credentialVariable]);
  try {
    if (wanted('GOOGLE_CLIENT_ID')) {
      const google = await startGoogleSandbox();
      running.google = google.description;
      stops.push(google.stop);
    }
    if (wanted('MICROSOFT_CLIENT_ID')) {
      const microsoft = await startMicrosoftSandbox();
      running.microsoft = microsoft.description;
      stops.push(microsoft.stop);
    }
    // Zoom: S2S apps come with each connection, so "configured" is the user-level app or an API URL.
    if (wanted('ZOOM_CLIENT_ID') && (mode === 'on' || !process.env.ZOOM_API_URL)) {
      const zoom = await startZoomSandbox();
      running.zoom = zoom.description;
      stops.push(zoom.stop);
    }
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
  return {
    running,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
}
