// Writes events/schemas/<type>.v<version>.json (JSON Schema 2020-12, generated from the zod definitions)
// and events/samples/<type>.json (a valid example of each). `--check` fails when the files are stale.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { domainEventJsonSchemas, domainEventSamples } from '../events/catalog.ts';

const root = path.resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const stale: string[] = [];

function write(file: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  const full = path.join(root, file);
  if (check) {
    if (!existsSync(full) || readFileSync(full, 'utf8') !== text) stale.push(file);
    return;
  }
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
}

for (const { file, schema } of domainEventJsonSchemas()) write(file, schema);
for (const { file, sample } of domainEventSamples()) write(file, sample);

if (stale.length) {
  console.error(`Stale event schemas (run npm run events:generate):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
console.log(check ? 'event schemas are up to date' : 'event schemas written to events/');
