import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../console/build.ts';
import { bundledFunctionCode } from '../../infra/constructs/function-code.ts';
import { functionNamed } from '../../infra/topology.ts';
import { apiEvent, testContext } from '../support/api-event.ts';
import { synthesize } from './support/synth.ts';

// The console is deployed behind the API's own HTTP API (same origin): its function's package carries the build.
let workdir: string;
let outdir: string;

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'infra-console-'));
  const { bundles } = await bundledFunctionCode([functionNamed('console-site')], workdir);
  outdir = bundles.get('console-site')!.outdir;
});
afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

describe('operator console deployment', () => {
  it('packages the budget-checked console build beside the function entry', async () => {
    expect((await readdir(path.join(outdir, 'console'))).sort()).toEqual(['app.css', 'app.js', 'index.html']);
  });

  it('the packaged function serves the same bytes the build produces, from its own folder', async () => {
    delete process.env.CONSOLE_ASSETS_DIR;
    const { handler } = (await import(pathToFileURL(path.join(outdir, 'index.mjs')).href)) as { handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body?: string }> };
    const result = await handler(apiEvent({ method: 'GET', path: '/console/app.js', routeKey: 'GET /console/{file}', pathParameters: { file: 'app.js' } }), testContext);
    expect(result.statusCode).toBe(200);
    const built = await buildConsole();
    expect(result.body).toBe(new TextDecoder().decode(built.files.find((f) => f.name === 'app.js')!.contents));
  });

  it('routes GET /console and GET /console/{file} to the console function without the JWT authorizer', () => {
    const { template } = synthesize();
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    for (const key of ['GET /console', 'GET /console/{file}']) {
      const route = Object.values(routes).find((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey === key) as { Properties: { AuthorizationType?: string } } | undefined;
      expect(route, key).toBeDefined();
      expect(route!.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });
});
