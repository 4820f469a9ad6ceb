// Cold-start weight of every Lambda of the topology, bundled exactly as the CDK stack ships it
// (infra/bundle.ts), and the time Node 24 takes to load its handler module over bare `node`, both measured
// in this run (performance.md: receivers ≤ 180 KB gzip and ≤ +70 ms, sync worker ≤ 300 KB and ≤ +120 ms).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunction, PROJECT_ROOT, type BundleResult } from '../../infra/bundle.ts';
import { FUNCTIONS, type FunctionSpec } from '../../infra/topology.ts';
import type { BenchTable } from './run.ts';

const ROUNDS = Math.max(15, Number(process.env.BENCH_ROUNDS ?? 21));
const NODE = path.join(PROJECT_ROOT, 'node_modules/.bin/node');
const KB = 1024;

interface Budget {
  label: string;
  gzipBytes: number;
  loadMs: number;
}

const RECEIVER_BUDGET: Budget = { label: 'receiver', gzipBytes: 180 * KB, loadMs: 70 };
const WORKER_BUDGET: Budget = { label: 'worker', gzipBytes: 300 * KB, loadMs: 120 };

/** HTTP functions (API and provider push receivers) answer users and providers; everything else is a worker. */
function budgetOf(spec: FunctionSpec): Budget {
  return spec.trigger.kind === 'http' ? RECEIVER_BUDGET : WORKER_BUDGET;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Wall time of one `node <file>` process, in ms. */
function timeNode(file: string, cwd: string): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(NODE, [file], { cwd, env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', RUNTIME_MODE: 'aws' }, stdio: 'pipe', timeout: 30_000 });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`node ${file} failed: ${result.stderr?.toString() || result.error?.message}`);
  return elapsed;
}

const kb = (bytes: number) => (bytes / KB).toFixed(1);

export default async function bundlesBench(): Promise<BenchTable> {
  const workdir = await mkdtemp(path.join(tmpdir(), 'bundles-bench-'));
  try {
    const bundles: { spec: FunctionSpec; bundle: BundleResult; probe: string }[] = [];
    for (const spec of FUNCTIONS) {
      const bundle = await bundleFunction(spec.entry, path.join(workdir, spec.name));
      const probe = path.join(workdir, `load-${spec.name}.mjs`);
      await writeFile(probe, `await import(${JSON.stringify(pathToFileURL(bundle.entryFile).href)});\n`);
      bundles.push({ spec, bundle, probe });
    }
    const empty = path.join(workdir, 'empty.mjs');
    await writeFile(empty, '');

    // Warm the file cache, then alternate bare node and each bundle so drift on this shared machine hits both.
    timeNode(empty, workdir);
    for (const { probe } of bundles) timeNode(probe, workdir);
    const bare: number[] = [];
    const loads = new Map<string, number[]>(bundles.map(({ spec }) => [spec.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const { spec, probe } of bundles) {
        bare.push(timeNode(empty, workdir));
        loads.get(spec.name)!.push(timeNode(probe, workdir));
      }
    }
    const bareMedian = median(bare);

    const rows = bundles.map(({ spec, bundle }) => {
      const budget = budgetOf(spec);
      const loadMedian = median(loads.get(spec.name)!);
      const delta = loadMedian - bareMedian;
      const met = bundle.startup.gzipBytes <= budget.gzipBytes && delta <= budget.loadMs;
      return [
        spec.name,
        kb(bundle.entry.bytes),
        kb(bundle.entry.gzipBytes),
        `${kb(bundle.startup.bytes)} (${bundle.startup.files.length})`,
        kb(bundle.startup.gzipBytes),
        `${kb(bundle.totalBytes)} (${bundle.files.length})`,
        kb(bundle.totalGzipBytes),
        loadMedian.toFixed(1),
        `+${delta.toFixed(1)}`,
        `${budget.label}: ≤ ${budget.gzipBytes / KB} KB, ≤ +${budget.loadMs} ms`,
        met ? 'met' : 'NOT met',
      ];
    });
    return {
      title: 'Lambda bundles: cold-start weight and module load time over bare node',
      columns: [
        'function',
        'index.mjs KB',
        'index.mjs gzip KB',
        'startup KB (files)',
        'startup gzip KB',
        'all KB (files)',
        'all gzip KB',
        'load ms (median)',
        'vs bare node ms',
        'budget (startup gzip, load)',
        'verdict',
      ],
      rows,
      notes: [
        `Bare \`node empty.mjs\`: median ${bareMedian.toFixed(1)} ms over ${bare.length} runs; each bundle ${ROUNDS} runs, alternating with bare node.`,
        'Bundled by infra/bundle.ts exactly as deployed: ESM, minified, tree-shaken, AWS SDK bundled, code splitting.',
        'startup = index.mjs plus every chunk it imports statically (what the cold start reads and parses); all = every file of the package, including lazily imported chunks (provider SDKs, credential providers). gzip sizes are summed per file.',
        'Load = importing index.mjs (the handler module). Adapters and SDK clients are built lazily on first use, so this is what a cold start pays before the first request.',
        'Budgets from performance.md; functions without an HTTP trigger use the sync worker budget.',
      ],
    };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
