import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../infra/local/lambda-context.ts';
import { logger, withInvocationLogger, withLambdaContext } from '../../../shared/runtime/logger.ts';

// The local stack runs every function in one process: interleaved invocations must each log under their own
// function name and request id (before, all lines carried whichever handler had set the context last).
afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel('WARN');
});

function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('withInvocationLogger', () => {
  it('gives interleaved invocations their own function name and request id; outside one the base logger logs', async () => {
    logger.setLogLevel('INFO');
    const lines = captureStdout();
    const run = (context: Context, label: string) =>
      withInvocationLogger(context, async () => {
        logger.appendKeys({ label });
        await tick();
        logger.info('first line');
        await tick();
        logger.info('second line');
      });
    const sync = lambdaContext('sync-worker', 60, 512);
    const api = lambdaContext('api-oauth', 29, 512);
    // The second starts (and sets its own keys) while the first is waiting.
    await Promise.all([run(sync, 'sync'), run(api, 'api')]);
    logger.info('outside any invocation');
    const entries = lines.map((line) => JSON.parse(line) as { message: string; function_name?: string; function_request_id?: string; label?: string });
    const of = (label: string) => entries.filter((e) => e.label === label);
    expect(of('sync').map((e) => [e.function_name, e.function_request_id])).toEqual([
      ['sync-worker', sync.awsRequestId],
      ['sync-worker', sync.awsRequestId],
    ]);
    expect(of('api').map((e) => [e.function_name, e.function_request_id])).toEqual([
      ['api-oauth', api.awsRequestId],
      ['api-oauth', api.awsRequestId],
    ]);
    // Keys an invocation appended stay with it.
    expect(entries.find((e) => e.message === 'outside any invocation')).toMatchObject({ message: 'outside any invocation' });
    expect(entries.find((e) => e.message === 'outside any invocation')?.label).toBeUndefined();
  });

  it('gives a queue or scheduled handler the context Lambda passes it, keeps its answer, and drops its keys after it', async () => {
    logger.setLogLevel('INFO');
    const lines = captureStdout();
    const handler = withLambdaContext(async (event: { n: number }, _context?: Context) => {
      if (event.n === 21) logger.appendKeys({ onlyInThisInvocation: true });
      logger.info('batch done', { n: event.n });
      return event.n * 2;
    });
    // Called without a context (a test, a direct call): it runs as it is.
    expect(await handler({ n: 1 })).toBe(2);
    const first = lambdaContext('webhook-delivery', 30, 256);
    const second = lambdaContext('webhook-delivery', 30, 256);
    expect(await handler({ n: 21 }, first)).toBe(42);
    expect(await handler({ n: 5 }, second)).toBe(10);
    const entries = lines.map((line) => JSON.parse(line) as { n: number; function_name?: string; function_request_id?: string; onlyInThisInvocation?: boolean });
    expect(entries.map((e) => [e.n, e.function_name ?? null, e.function_request_id ?? null, e.onlyInThisInvocation ?? false])).toEqual([
      [1, null, null, false],
      [21, 'webhook-delivery', first.awsRequestId, true],
      [5, 'webhook-delivery', second.awsRequestId, false],
    ]);
  });
});
