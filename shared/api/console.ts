import * as z from 'zod/mini';
import { defineRoute } from '../runtime/http/route.ts';

// The operator console's static files (scheduling.md §2 `GET /console`), served by the API itself so the
// console shares the API's origin: no CORS, the same JWT, and the OAuth return origin is the API's own.
const tags = ['console'];

export const consoleEntryRoute = defineRoute({
  operationId: 'openConsole',
  method: 'GET',
  path: '/console',
  function: 'console-site',
  auth: 'none',
  summary: 'The operator console (redirects to /console/index.html)',
  tags,
  responses: { 302: { description: 'To /console/index.html, so the page’s relative asset URLs resolve under /console/.' } },
});

export const consoleFileRoute = defineRoute({
  operationId: 'getConsoleFile',
  method: 'GET',
  path: '/console/{file}',
  function: 'console-site',
  auth: 'none',
  summary: 'A file of the operator console (index.html, app.js, app.css)',
  tags,
  params: z.object({ file: z.string().check(z.maxLength(64)) }),
  responses: {
    200: { description: 'The file, with a content security policy allowing only this origin.', contentType: 'text/html' },
    404: { description: 'No such console file.', contentType: 'application/problem+json' },
  },
});

export const ConsoleRoutes = [consoleEntryRoute, consoleFileRoute];
