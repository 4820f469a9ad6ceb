import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../../../console/build.ts';
import { apiEvent, testContext } from '../../support/api-event.ts';

// The deployed console: the console-site function serving the real build from its package folder.
let dir: string;
let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
let built: Awaited<ReturnType<typeof buildConsole>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'console-site-'));
  built = await buildConsole();
  for (const file of built.files) writeFileSync(path.join(dir, file.name), file.contents);
  writeFileSync(path.join(dir, 'secret.txt'), 'not a console file');
  process.env.CONSOLE_ASSETS_DIR = dir;
  ({ handler } = (await import('../../../functions/console-site/handler.ts')) as unknown as { handler: typeof handler });
});
afterAll(() => {
  delete process.env.CONSOLE_ASSETS_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const get = (file: string) => handler(apiEvent({ method: 'GET', path: `/console/${file}`, routeKey: 'GET /console/{file}', pathParameters: { file } }), testContext);

describe('console-site function', () => {
  it('redirects /console to its index.html', async () => {
    const result = await handler(apiEvent({ method: 'GET', path: '/console', routeKey: 'GET /console' }), testContext);
    expect(result.statusCode).toBe(302);
    expect(result.headers?.location).toBe('/console/index.html');
  });

  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
  ])('serves %s byte for byte with its type and a same-origin content security policy', async (name, type) => {
    const result = await get(name);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe(type);
    expect(result.body).toBe(new TextDecoder().decode(built.files.find((f) => f.name === name)!.contents));
    expect(String(result.headers?.['content-security-policy'])).toContain("connect-src 'self'");
    expect(result.headers?.['x-content-type-options']).toBe('nosniff');
  });

  it('answers 404 for anything that is not a console file, even a file in the same folder or a path out of it', async () => {
    for (const name of ['secret.txt', '..%2Fpackage.json', '../handler.ts', 'nope.js']) {
      const result = await get(name);
      expect(result.statusCode, name).toBe(404);
      expect(result.body ?? '').not.toContain('not a console file');
    }
  });
});
