/**
 * Sandbox mode: when no provider credentials are configured, the local stack runs our provider simulators
 * in-process and points the provider URLs at them, so the whole flow can be tried with no cloud account.
 */
export interface SandboxProviders {
  /** Provider name → short description for the start banner. */
  running: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSandboxProviders(mode: 'auto' | 'on' | 'off', _log: (line: string) => void): Promise<SandboxProviders> {
  const running: Record<string, string> = {};
  const stops: (() => Promise<void>)[] = [];
  if (mode === 'off') return { running, stop: async () => {} };
  return {
    running,
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
