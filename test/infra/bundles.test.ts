import { execFile } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, ENTRY_FILE_NAME, PROJECT_ROOT, type BundleResult } from '../../infra/bundle.ts';
import { FUNCTIONS } from '../../infra/topology.ts';

const run = promisify(execFile);
const NODE = path.join(PROJECT_ROOT, 'node_modules/.bin/node');
/** performance.md: receivers ≤ 180 KB gzip, measured on what the cold start loads (entry + its static chunks). */
const API_STARTUP_BUDGET_GZIP = 180 * 1024;
const BUILTINS = new Set(builtinModules);

let workdir: string;
const bundles = new Map<string, BundleResult>();

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'infra-bundles-test-'));
  for (const spec of FUNCTIONS) bundles.set(spec.name, await bundleFunction(spec.entry, path.join(workdir, spec.name)));
});

afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

describe('bundling every function for real', () => {
  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))('%s: the entry chunk loads in Node 24 and exports a handler', async (name) => {
    // Prepare
    const bundle = bundles.get(name)!;
    const probe = `const m = await import(${JSON.stringify(pathToFileURL(bundle.entryFile).href)}); if (typeof m.handler !== 'function') { console.error('no handler'); process.exit(2); } console.log('loaded');`;

    // Act: a fresh process with a Lambda-like environment (no credentials, no project config)
    const { stdout } = await run(NODE, ['--input-type=module', '-e', probe], {
      cwd: workdir,
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', RUNTIME_MODE: 'aws', NODE_ENV: 'production' },
      timeout: 30_000,
    });

    // Assess
    expect(stdout.trim()).toBe('loaded');
  });

  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))('%s: ESM index.mjs plus chunks, no source maps, nothing external but Node built-ins', async (name) => {
    const bundle = bundles.get(name)!;
    const files = await readdir(bundle.outdir, { recursive: true });

    expect(bundle.entry.path).toBe(ENTRY_FILE_NAME);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(bundle.files.every((file) => file.path === ENTRY_FILE_NAME || file.path.startsWith('chunks/'))).toBe(true);
    const externals = Object.values(bundle.metafile.outputs).flatMap((output) => output.imports.filter((item) => item.external).map((item) => item.path));
    for (const external of externals) expect(BUILTINS.has(external.replace(/^node:/, '')), external).toBe(true);
    const head = (await readFile(bundle.entryFile, 'utf8')).slice(0, 400);
    expect(head).toContain('createRequire');
  });

  const apiFunctions = FUNCTIONS.filter((spec) => spec.trigger.kind === 'http' && spec.name.startsWith('api-'));
  it.each(apiFunctions.map((spec) => [spec.name, spec] as const))('%s: entry chunk (with the chunks it loads at start) within the 180 KB gzip budget', (name) => {
    const bundle = bundles.get(name)!;
    expect(bundle.startup.files[0]).toBe(ENTRY_FILE_NAME);
    expect(bundle.entry.gzipBytes).toBeGreaterThan(0);
    expect(bundle.startup.gzipBytes).toBeGreaterThanOrEqual(bundle.entry.gzipBytes);
    expect(bundle.startup.gzipBytes).toBeLessThanOrEqual(API_STARTUP_BUDGET_GZIP);
  });
});

describe('infra/app.ts (what `cdk synth` runs)', () => {
  it('bundles, synthesizes with cdk-nag registered and writes a template with one asset per function', async () => {
    // Prepare
    const outdir = await mkdtemp(path.join(tmpdir(), 'infra-app-synth-'));
    try {
      // Act
      await run(NODE, ['infra/app.ts'], { cwd: PROJECT_ROOT, env: { ...process.env, CDK_OUTDIR: outdir }, timeout: 280_000 });

      // Assess
      const template = JSON.parse(await readFile(path.join(outdir, 'CalendarIntegrationsStack.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: unknown } } }>;
      };
      const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
      expect(functions).toHaveLength(FUNCTIONS.length);
      const keys = functions.map((fn) => fn.Properties.Code?.S3Key);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(new Set(keys).size).toBe(FUNCTIONS.length);
      const report = JSON.parse(await readFile(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: unknown[] }[] };
      expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 300_000); // bundling every function (30 and more) on a loaded 2-core machine can take minutes
});
