// `npm run console:build`: writes the operator console to console/dist (what the CDK stack deploys), and
// prints its size against the budget (the build itself refuses to exceed it).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildConsole, CONSOLE_BUDGET_GZIP_BYTES } from '../console/build.ts';

const outdir = path.resolve(import.meta.dirname, '..', 'console', 'dist');
const built = await buildConsole();
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
for (const file of built.files) writeFileSync(path.join(outdir, file.name), file.contents);
console.log(`console/dist: ${built.files.length} files, ${(built.rawBytes / 1024).toFixed(1)} KB, ${(built.gzipBytes / 1024).toFixed(1)} KB gzip (budget ${CONSOLE_BUDGET_GZIP_BYTES / 1024} KB)`);
