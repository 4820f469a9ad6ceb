import type { Context } from 'aws-lambda';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS, functionNamed, type FunctionSpec } from '../topology.ts';
import { withInvocationLogger } from '../../shared/runtime/logger.ts';
import { lambdaContext } from './lambda-context.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Loads the real handler modules named in the topology and invokes them like Lambda does: one context per
 * invocation, the function's timeout enforced (a timed-out invocation fails like Lambda's "Task timed out").
 */
export class FunctionRunner {
  private readonly handlers = new Map<string, Promise<Handler>>();
  /** Invocation counts per function (benchmarks, tests). */
  readonly invocations = new Map<string, number>();

  private load(spec: FunctionSpec): Promise<Handler> {
    let handler = this.handlers.get(spec.name);
    if (!handler) {
      handler = import(pathToFileURL(path.join(REPO_ROOT, spec.entry)).href).then((module: { handler?: Handler }) => {
        if (typeof module.handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
        return module.handler;
      });
      this.handlers.set(spec.name, handler);
    }
    return handler;
  }

  /** Imports every function once, so the first request is not slowed by module loading. */
  async warmAll(): Promise<void> {
    await Promise.all(FUNCTIONS.map((spec) => this.load(spec)));
  }

  async invoke<R = unknown>(functionName: string, event: unknown): Promise<R> {
    const spec = functionNamed(functionName);
    const handler = await this.load(spec);
    this.invocations.set(spec.name, (this.invocations.get(spec.name) ?? 0) + 1);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Task timed out after ${spec.timeoutSeconds} seconds (${spec.name})`)), spec.timeoutSeconds * 1000);
    });
    try {
      const context = lambdaContext(spec.name, spec.timeoutSeconds, spec.memoryMb);
      // One process runs every function here: each invocation logs under its own name and request id.
      return (await withInvocationLogger(context, () => Promise.race([handler(event, context), timeout]))) as R;
    } finally {
      clearTimeout(timer);
    }
  }
}
