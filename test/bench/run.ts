// `npm run bench [name...]`: runs every test/bench/*.bench.ts (or the named ones), prints each table and
// writes it to test/bench/results/<name>.md. Benchmarks report ratios against a baseline measured in the
// same run (see ../shared/docs/performance.md), never absolute pass/fail times.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

const here = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort();

function markdown(table: BenchTable, seconds: number): string {
  const header = `| ${table.columns.join(' | ')} |\n|${table.columns.map(() => '---').join('|')}|`;
  const rows = table.rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
  const notes = (table.notes ?? []).map((note) => `- ${note}`).join('\n');
  const machine = `Measured ${new Date().toISOString()} on Node ${process.version}, ${process.arch}, in ${seconds.toFixed(1)} s.`;
  return `## ${table.title}\n\n${header}\n${rows}\n\n${notes}${notes ? '\n' : ''}\n${machine}\n`;
}

mkdirSync(path.join(here, 'results'), { recursive: true });
let failed = false;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  try {
    const module = (await import(pathToFileURL(path.join(here, file)).href)) as { default: () => Promise<BenchTable | BenchTable[]> };
    const result = await module.default();
    const tables = Array.isArray(result) ? result : [result];
    const text = tables.map((table) => markdown(table, (Date.now() - started) / 1000)).join('\n');
    console.log(text);
    writeFileSync(path.join(here, 'results', `${name}.md`), `# ${name}\n\n${text}`);
  } catch (error) {
    failed = true;
    console.error(`✖ ${name} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
