import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildConsole } from '../../console/build.ts';
import { bundleFunction, type BundleResult } from '../bundle.ts';
import type { FunctionSpec } from '../topology.ts';

/** Where each function's deployment package comes from. */
export type FunctionCode = (spec: FunctionSpec) => lambda.Code;

const PLACEHOLDER_SOURCE = "exports.handler=async()=>{throw new Error('placeholder code: this stack was synthesized without bundling')};";

/** Template-only synths (tests, `-c placeholderCode=true`): no bundling, and nothing deployable. */
export function placeholderFunctionCode(): FunctionCode {
  return () => lambda.Code.fromInline(PLACEHOLDER_SOURCE);
}

/** The function that serves the operator console; its package also carries the built console. */
const CONSOLE_FUNCTION = 'console-site';

/** The console build (budget-checked) into `console/` beside the function's index.mjs, where it reads it. */
async function addConsoleFiles(outdir: string): Promise<void> {
  const built = await buildConsole();
  await mkdir(path.join(outdir, 'console'), { recursive: true });
  for (const file of built.files) await writeFile(path.join(outdir, 'console', file.name), file.contents);
}

export interface BundledFunctionCode {
  code: FunctionCode;
  bundles: ReadonlyMap<string, BundleResult>;
}

/**
 * Bundles every function with `bundleFunction` into `<workdir>/<name>` (in parallel). The assets are staged
 * into cdk.out when the stack is constructed and named by their content hash, so an unchanged bundle is
 * neither uploaded nor redeployed again.
 */
export async function bundledFunctionCode(functions: readonly FunctionSpec[], workdir: string): Promise<BundledFunctionCode> {
  const results = await Promise.all(
    functions.map(async (spec) => {
      const bundle = await bundleFunction(spec.entry, path.join(workdir, spec.name));
      if (spec.name === CONSOLE_FUNCTION) await addConsoleFiles(bundle.outdir);
      return [spec.name, bundle] as const;
    }),
  );
  const bundles = new Map(results);
  return {
    bundles,
    code: (spec) => {
      const bundle = bundles.get(spec.name);
      if (!bundle) throw new Error(`${spec.name} was not bundled`);
      return lambda.Code.fromAsset(bundle.outdir);
    },
  };
}
