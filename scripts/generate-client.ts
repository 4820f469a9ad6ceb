// `npm run client:generate`: writes client/schema.d.ts, the TypeScript types of the API, from the same
// OpenAPI document that GET /openapi.json serves (built in-process, no server needed). `--check` exits 1
// when the committed file differs, which is what the unit test and CI rely on.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderClientSchema } from '../client/generate.ts';

const target = path.resolve(import.meta.dirname, '..', 'client', 'schema.d.ts');
const fresh = await renderClientSchema();
if (process.argv.includes('--check')) {
  const committed = readFileSync(target, 'utf8');
  if (committed !== fresh) {
    console.error('client/schema.d.ts is out of date: run `npm run client:generate` and commit it.');
    process.exit(1);
  }
  console.log('client/schema.d.ts is up to date.');
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${fresh.length} characters)`);
}
