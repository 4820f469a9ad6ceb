import { renewDeps } from '../../shared/runtime/deps/write-side.ts';
import { renewPushChannels } from '../../shared/use-cases/push/renew-push-channels.ts';
import { withLambdaContext } from '../../shared/runtime/logger.ts';

/** Hourly: replace Google channels and extend Graph subscriptions before they expire. */
async function handleInvocation(): Promise<{ renewed: number; failed: number }> {
  return renewPushChannels(renewDeps());
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
