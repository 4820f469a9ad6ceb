import { renewDeps } from '../../shared/runtime/deps/write-side.ts';
import { renewPushChannels } from '../../shared/use-cases/push/renew-push-channels.ts';

/** Hourly: replace Google channels and extend Graph subscriptions before they expire. */
export async function handler(): Promise<{ renewed: number; failed: number }> {
  return renewPushChannels(renewDeps());
}
