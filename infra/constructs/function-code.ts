import * as lambda from 'aws-cdk-lib/aws-lambda';
import path from 'node:path';
import { bundleFunction, type BundleResult } from '../bundle.ts';
import type { FunctionSpec } from '../topology.ts';

/** Where each function's deployment package comes from. */
export type FunctionCode = (spec: FunctionSpec) => lambda.Code;

const PLACEHOLDER_SOURCE = "exports.handler=async()=>{throw new Error('placeholder code: this stack was synthesized without bundling')};";

/** Template-only synths (tests, `-c placeholderCode=true`): no bundling, and nothing deployable. */
export function placeholderFunctionCode(): FunctionCode {
  return () => lambda.Code.fromInline(PLACEHOLDER_SOURCE);
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
  const results = await Promise.all(functions.map(async (spec) => [spec.name, await bundleFunction(spec.entry, path.join(workdir, spec.name))] as const));
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
