#!/usr/bin/env node
// Entry point of `npm start` and `npm test` on any machine, fresh or not. Plain JavaScript on purpose: it
// runs under whatever Node the machine has (the system Node here is 20). It installs the dependencies when
// node_modules is missing or stale (which also brings Node 24 via the `node` package), checks the external
// programs the command needs, and then runs the real script under Node 24, the same major as Lambda.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);
const scripts = { start: 'scripts/start.ts', test: 'scripts/test.ts', bench: 'test/bench/run.ts' };
if (!scripts[command]) {
  console.error(`usage: node scripts/bootstrap.mjs <${Object.keys(scripts).join('|')}> [args]`);
  process.exit(2);
}

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

function lockHash() {
  return createHash('sha256').update(readFileSync(path.join(root, 'package-lock.json'))).digest('hex');
}

function ensureDependencies() {
  const stamp = path.join(root, 'node_modules', '.installed-lock-hash');
  const node24 = path.join(root, 'node_modules', '.bin', 'node');
  const fresh = existsSync(node24) && existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash();
  if (fresh) return node24;
  console.log('• Installing dependencies (npm ci) — this also brings Node 24 for the tests and the local stack…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail('`npm ci` failed. Check your network access to the npm registry, then run the command again.');
  if (!existsSync(node24)) fail('Node 24 was not installed into node_modules/.bin/node. Run `npm ci` and check its output.');
  writeFileSync(stamp, lockHash());
  return node24;
}

function ensureJava() {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (probe.error || probe.status !== 0 || (version && Number(version) < 17)) {
    fail(
      'DynamoDB Local (used by the local stack and the tests) needs Java 17 or newer.\n' +
        '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:          brew install openjdk@17',
    );
  }
}

function ensureRadicale() {
  if (spawnSync('radicale', ['--version'], { encoding: 'utf8' }).status === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version']).status === 0) {
    console.log('• Installing Radicale (Debian package `radicale`) for the CalDAV tests…');
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (spawnSync('apt-get', ['install', '-y', 'radicale'], { stdio: 'inherit' }).status === 0) return;
  }
  fail(
    'The CalDAV tests run against a real Radicale server, and `radicale` is not installed.\n' +
      '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y radicale\n' +
      '  elsewhere:      python3 -m pip install radicale   (so that `radicale` is on the PATH)',
  );
}

const node24 = ensureDependencies();
ensureJava();
if (command === 'test' && existsSync(path.join(root, 'test', 'support', 'radicale.ts'))) ensureRadicale();

const child = spawn(node24, [path.join(root, scripts[command]), ...args], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
