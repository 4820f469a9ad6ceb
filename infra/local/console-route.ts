import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConsole, type ConsoleBuild } from '../../console/build.ts';

/** What the deployed console sends too (infra): the app loads only its own script, style and API. */
export const CONSOLE_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

let current: Promise<ConsoleBuild> | null = null;

/**
 * GET /console: the operator console, built in memory by the same build as the deployment. Each load of the
 * page rebuilds it (tens of milliseconds), so an edit under console/ shows on reload without a restart.
 */
export async function handleConsoleRoute(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Method not allowed', status: 405 }));
    return true;
  }
  if (url.pathname === '/console') {
    // Relative asset URLs in index.html resolve against /console/.
    response.writeHead(302, { location: `/console/${url.search}` });
    response.end();
    return true;
  }
  const name = url.pathname.slice('/console/'.length) || 'index.html';
  if (name === 'index.html' || !current) current = buildConsole();
  const built = await current.catch((error: unknown) => {
    current = null;
    throw error;
  });
  const file = built.files.find((f) => f.name === name);
  if (!file) {
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, detail: `No console file ${name}` }));
    return true;
  }
  response.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store', ...CONSOLE_SECURITY_HEADERS });
  response.end(request.method === 'HEAD' ? undefined : file.contents);
  return true;
}
