import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/local-stack.ts';

export interface TestStack extends LocalStack {
  /** fetch against the stack with the dev token (or `token`) as bearer. */
  api(pathname: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  tokenFor(tenantId: string): Promise<string>;
}

/** The whole local stack on a free port with a throwaway data folder, quiet. */
export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ci-stack-'));
  const stack = await startLocalStack({ port: 0, dataDir, schedules: false, sandbox: 'off', log: () => {}, ...options });
  return {
    ...stack,
    api(pathname, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token === undefined ? stack.devToken : token;
      if (bearer) headers.set('authorization', `Bearer ${bearer}`);
      if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${stack.url}${pathname}`, { ...rest, headers });
    },
    tokenFor: (tenantId) => stack.issuer.mintToken(tenantId),
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
