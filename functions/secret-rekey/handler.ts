import type { Context } from 'aws-lambda';
import type { RekeyProgress } from '../../shared/ports/sealed-secret-rekey.ts';
import { rotateSealedSecretsDeps } from '../../shared/runtime/deps/rekey.ts';
import { rotateSealedSecrets } from '../../shared/use-cases/rotate-sealed-secrets.ts';
import { withLambdaContext } from '../../shared/runtime/logger.ts';

/** Stop taking pages this long before the Lambda timeout, so the last page's progress is saved. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;

/**
 * Key rotation job: daily on its schedule (a completed walk costs one scan that finds nothing to do, and
 * picks up secrets sealed by processes still on an old key), and on demand after changing the key:
 * `aws lambda invoke --function-name <stack>-secret-rekey --payload '{"restart":true}' out.json` (locally the
 * same handler through the function runner). An unfinished walk continues where the last run stopped; the
 * reply says how far it got, and `completedAt` + `keyId` say when the old key can be retired.
 */
async function handleInvocation(event: { restart?: boolean } | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RekeyProgress> {
  return rotateSealedSecrets(rotateSealedSecretsDeps(), {
    restart: event?.restart === true,
    ...(context ? { hasTime: () => context.getRemainingTimeInMillis() > STOP_BEFORE_TIMEOUT_MS } : {}),
  });
}

/** Lambda's entry: the invocation logs with its context (function name, request id). */
export const handler = withLambdaContext(handleInvocation);
