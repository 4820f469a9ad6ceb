import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleEntryRoute, consoleFileRoute } from '../../shared/api/console.ts';
import { CONSOLE_SECURITY_HEADERS, consoleAssetReader } from '../../shared/runtime/console-assets.ts';
import { createApiHandler } from '../../shared/runtime/http/api-handler.ts';
import { bindRoute } from '../../shared/runtime/http/route.ts';

// The deployment package holds the built console in console/ beside index.mjs (infra/constructs/function-code.ts).
const assetsDir = process.env.CONSOLE_ASSETS_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'console');
const read = consoleAssetReader(assetsDir);

export const handler = createApiHandler({
  routes: [
    bindRoute(consoleEntryRoute, async () => ({ status: 302, headers: { location: '/console/index.html' } })),
    bindRoute(consoleFileRoute, async ({ params }) => {
      const asset = await read(params.file);
      if (!asset) {
        return { status: 404, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Not found', status: 404, detail: 'No such console file.' }) };
      }
      // Asset names are not content-hashed: a short shared cache, so a deployment shows within minutes.
      return { status: 200, contentType: asset.contentType, body: asset.body, headers: { 'cache-control': 'public, max-age=300', ...CONSOLE_SECURITY_HEADERS } };
    }),
  ],
});
