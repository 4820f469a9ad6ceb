import { build, type Metafile } from 'esbuild';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The repository root: entries in infra/topology.ts are relative to it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The module Lambda loads: handler `index.handler`. */
export const ENTRY_FILE_NAME = 'index.mjs';

export interface BundleFile {
  /** Path relative to the bundle's outdir (`index.mjs`, `chunks/…`). */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleResult {
  outdir: string;
  /** Absolute path of `index.mjs`. */
  entryFile: string;
  /** `index.mjs` alone. */
  entry: BundleFile;
  /**
   * What a cold start loads before the handler runs: `index.mjs` and every chunk it imports statically,
   * transitively (code splitting moves shared code into chunks the entry imports at once).
   */
  startup: { files: string[]; bytes: number; gzipBytes: number };
  /** Every emitted file, the entry first; lazily imported chunks (provider SDKs) are the rest. */
  files: BundleFile[];
  totalBytes: number;
  totalGzipBytes: number;
  metafile: Metafile;
}

// ESM output has no `require`/`__dirname`; CommonJS dependencies bundled into it still call them.
// The names are unusual so the minifier's identifiers cannot collide with them.
const CJS_SHIMS = [
  "import{createRequire as __cjsCreateRequire}from'node:module';",
  "import{fileURLToPath as __cjsFileUrlToPath}from'node:url';",
  "import{dirname as __cjsDirname}from'node:path';",
  'const require=__cjsCreateRequire(import.meta.url);',
  'const __filename=__cjsFileUrlToPath(import.meta.url);',
  'const __dirname=__cjsDirname(__filename);',
].join('');

/**
 * Bundles one Lambda entry exactly as it is deployed: ESM for Node 24, minified and tree-shaken, the AWS SDK
 * bundled (the runtime's copy is a different version and slower to load), and code splitting on, so every
 * dynamic `import()` (the provider registry's adapters) becomes a chunk loaded only on first use. The CDK
 * stack and the bundle benchmark both call this, so what is measured is what is shipped.
 *
 * `outdir` belongs to the bundler: its previous contents are removed first, so no stale chunk is shipped.
 */
export async function bundleFunction(entry: string, outdir: string): Promise<BundleResult> {
  const entryPath = path.resolve(PROJECT_ROOT, entry);
  const target = path.resolve(outdir);
  await guardOutdir(entryPath, target);
  await rm(target, { recursive: true, force: true });

  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: entryPath },
    outdir: target,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    minify: true,
    treeShaking: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: CJS_SHIMS },
    metafile: true,
    logLevel: 'silent',
  });

  const outputs = Object.keys(result.metafile.outputs).map((file) => path.resolve(PROJECT_ROOT, file));
  const files = await Promise.all(outputs.map((file) => measure(target, file)));
  files.sort((a, b) => (a.path === ENTRY_FILE_NAME ? -1 : b.path === ENTRY_FILE_NAME ? 1 : a.path.localeCompare(b.path)));
  const entryOutput = files[0];
  if (entryOutput?.path !== ENTRY_FILE_NAME) throw new Error(`esbuild emitted no ${ENTRY_FILE_NAME} for ${entry}`);
  const byPath = new Map(files.map((file) => [file.path, file]));
  const relative = (file: string) => path.relative(target, path.resolve(PROJECT_ROOT, file)).split(path.sep).join('/');
  const startupFiles = new Set<string>();
  const pending = [ENTRY_FILE_NAME];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (startupFiles.has(file)) continue;
    startupFiles.add(file);
    const output = Object.entries(result.metafile.outputs).find(([name]) => relative(name) === file)?.[1];
    for (const item of output?.imports ?? []) if (!item.external && item.kind === 'import-statement') pending.push(relative(item.path));
  }
  const startup = [...startupFiles].map((file) => byPath.get(file)!);
  return {
    outdir: target,
    entryFile: path.join(target, ENTRY_FILE_NAME),
    entry: entryOutput,
    startup: {
      files: startup.map((file) => file.path),
      bytes: startup.reduce((sum, file) => sum + file.bytes, 0),
      gzipBytes: startup.reduce((sum, file) => sum + file.gzipBytes, 0),
    },
    files,
    totalBytes: files.reduce((sum, file) => sum + file.bytes, 0),
    totalGzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
    metafile: result.metafile,
  };
}

async function measure(outdir: string, file: string): Promise<BundleFile> {
  const content = await readFile(file);
  return { path: path.relative(outdir, file).split(path.sep).join('/'), bytes: content.byteLength, gzipBytes: gzipSync(content).byteLength };
}

/** The outdir is emptied before each build: refuse anything that could hold more than an earlier bundle. */
async function guardOutdir(entryPath: string, outdir: string): Promise<void> {
  const refuse = (why: string): never => {
    throw new Error(`Refusing to bundle into ${outdir}: ${why} (pick an empty or bundle-only folder)`);
  };
  if (outdir === path.parse(outdir).root || PROJECT_ROOT === outdir || PROJECT_ROOT.startsWith(outdir + path.sep)) refuse('it holds the project');
  if (entryPath.startsWith(outdir + path.sep)) refuse('it holds the entry');
  const existing = await readdir(outdir, { withFileTypes: true }).catch(() => []);
  const foreign = existing.find((item) => !(item.isDirectory() ? item.name === 'chunks' : item.name.endsWith('.mjs')));
  if (foreign) refuse(`it holds ${foreign.name}, which no bundle emits`);
}
