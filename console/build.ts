// The console's own small build: esbuild bundles src/main.tsx (Preact) and its CSS; index.html is copied.
// Used in memory by the local stack (served at /console), by the CDK stack (deployed with the API) and by
// `npm run console:build` (writes console/dist). The bundle budget is checked here, so no path ships more.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Issue 15: the whole console, gzip, JavaScript + CSS + HTML. */
export const CONSOLE_BUDGET_GZIP_BYTES = 150 * 1024;

export interface ConsoleFile {
  name: string;
  contentType: string;
  contents: Uint8Array;
}
export interface ConsoleBuild {
  files: ConsoleFile[];
  gzipBytes: number;
  rawBytes: number;
}

const root = import.meta.dirname;

export async function buildConsole(options: { minify?: boolean; budgetBytes?: number } = {}): Promise<ConsoleBuild> {
  const result = await build({
    entryPoints: { app: path.join(root, 'src', 'main.tsx'), 'app-styles': path.join(root, 'src', 'styles.css') },
    bundle: true,
    write: false,
    outdir: '/console-out',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: ConsoleFile[] = [{ name: 'index.html', contentType: 'text/html; charset=utf-8', contents: readFileSync(path.join(root, 'index.html')) }];
  for (const output of result.outputFiles) {
    const base = path.basename(output.path);
    if (base === 'app.js') files.push({ name: 'app.js', contentType: 'text/javascript; charset=utf-8', contents: output.contents });
    else if (base === 'app-styles.css') files.push({ name: 'app.css', contentType: 'text/css; charset=utf-8', contents: output.contents });
    // The JS entry imports no CSS, so esbuild emits nothing else; anything more would be unbudgeted.
    else throw new Error(`console build: unexpected output ${base}`);
  }
  const gzipBytes = files.reduce((sum, file) => sum + gzipSync(file.contents, { level: 9 }).length, 0);
  const rawBytes = files.reduce((sum, file) => sum + file.contents.length, 0);
  const budget = options.budgetBytes ?? CONSOLE_BUDGET_GZIP_BYTES;
  if (gzipBytes > budget) throw new Error(`console bundle is ${gzipBytes} bytes gzip, over its budget of ${budget} bytes`);
  return { files, gzipBytes, rawBytes };
}
