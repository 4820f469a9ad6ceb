import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';

export interface SimulatorCa {
  /** PEM file of the CA: give it to Node as `NODE_EXTRA_CA_CERTS` (read only at process start). */
  caCertPath: string;
  /** The CA certificate (PEM), for `https.Agent({ ca })` or `trustSimulatorCa`. */
  caCert: string;
  /** Server key and certificate (PEM) for `startGraphSimulator({ tls: { key, cert } })`. */
  key: string;
  cert: string;
}

const FILES = { caCert: 'ca.pem', caKey: 'ca.key', key: 'server.key', cert: 'server.pem' } as const;

function readBundle(dir: string): SimulatorCa | null {
  const paths = Object.values(FILES).map((name) => join(dir, name));
  if (!paths.every((path) => existsSync(path))) return null;
  return {
    caCertPath: join(dir, FILES.caCert),
    caCert: readFileSync(join(dir, FILES.caCert), 'utf8'),
    key: readFileSync(join(dir, FILES.key), 'utf8'),
    cert: readFileSync(join(dir, FILES.cert), 'utf8'),
  };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function generateBundle(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', FILES.caKey, '-out', FILES.caCert, '-days', '3650',
    '-subj', '/CN=calendar-integrations local simulator CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', ...ec, '-keyout', FILES.key, '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'server.ext'), [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', FILES.caCert, '-CAkey', FILES.caKey, '-CAcreateserial',
    '-out', FILES.cert, '-days', '3650', '-extfile', 'server.ext'], dir);
}

/**
 * A CA and a `localhost` + `127.0.0.1` server certificate signed by it, made once with the openssl CLI and
 * reused afterwards. Generation happens in a sibling temp folder that is renamed into place, so two
 * processes racing on the same `dir` both end up with one consistent bundle.
 */
export function ensureSimulatorCa(dir: string): SimulatorCa {
  const target = resolve(dir);
  const existing = readBundle(target);
  if (existing) return existing;
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    generateBundle(temp);
    // An incomplete leftover (not a bundle another process just finished) would block the rename.
    if (existsSync(target) && !readBundle(target) && readdirSync(target).length > 0) rmSync(target, { recursive: true, force: true });
    try {
      renameSync(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  const bundle = readBundle(target);
  if (!bundle) throw new Error(`simulator CA in ${target} is incomplete`);
  return bundle;
}

/**
 * Makes this process trust the simulator CA for every later TLS connection without an explicit `ca`
 * (global `fetch`, `node:https`, the Graph SDK): the in-process alternative to `NODE_EXTRA_CA_CERTS`.
 */
export function trustSimulatorCa(caCert: string): void {
  const current = tls.getCACertificates('default');
  if (current.some((pem) => pem.trim() === caCert.trim())) return;
  tls.setDefaultCACertificates([...current, caCert]);
}
