import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildConsole, type ConsoleBuild } from '../../console/build.ts';
import { CONSOLE_SECURITY_HEADERS } from '../../shared/runtime/console-assets.ts';

let current: Promise<ConsoleBuild> | null = null;

/**
 * GET /console: the operator console, built in memory by the same build as the deployment. Each load of the
 * page rebuilds it (tens of milliseconds), so an edit under console/ shows on reload without a restart. (The
 * deployed stack serves the same files from the console-site function; this path is answered before it.)
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
    // As deployed (functions/console-site): relative asset URLs in index.html resolve against /console/.
    response.writeHead(302, { location: `/console/index.html${url.search}` });
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
