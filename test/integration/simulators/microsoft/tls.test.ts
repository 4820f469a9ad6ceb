import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimulatorCa, startGraphSimulator, type GraphSimulator } from '../../../simulators/microsoft/index.ts';
import { httpsCall, testCa } from './support.ts';

const run = promisify(execFile);

/** A child Node process that fetches `url` and prints the status (or the TLS error code). */
function childFetch(url: string, env: Record<string, string | undefined>): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}).then((r) => console.log('status', r.status), (e) => console.log('error', e.cause?.code ?? e.message))`;
  return run(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }).then((r) => r.stdout.trim());
}

describe('simulator TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-ca-'));
  let sim: GraphSimulator;

  beforeAll(async () => {
    sim = await startGraphSimulator({ tls: testCa() });
  });

  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a CA and a localhost + 127.0.0.1 certificate once, then reuses the files', () => {
    const first = ensureSimulatorCa(join(dir, 'ca'));
    const modified = statSync(first.caCertPath).mtimeMs;
    const second = ensureSimulatorCa(join(dir, 'ca'));

    expect(second).toEqual(first);
    expect(statSync(second.caCertPath).mtimeMs).toBe(modified);
    const ca = new X509Certificate(readFileSync(first.caCertPath));
    const server = new X509Certificate(first.cert);
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.subjectAltName).toContain('DNS:localhost');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });

  it('serves HTTPS that a client trusting the CA accepts on localhost and 127.0.0.1', async () => {
    const ca = testCa().caCert;

    const byName = await httpsCall(`${sim.origin}/v1.0/me`, ca);
    const byAddress = await httpsCall(`https://127.0.0.1:${sim.port}/v1.0/me`, ca);

    expect(sim.origin).toBe(`https://localhost:${sim.port}`);
    expect(byName.status).toBe(401);
    expect(byAddress.status).toBe(401);
  });

  it('is trusted by a child Node process started with NODE_EXTRA_CA_CERTS, and only then', async () => {
    const url = `${sim.origin}/v1.0/me`;

    const trusted = await childFetch(url, { NODE_EXTRA_CA_CERTS: testCa().caCertPath });
    const untrusted = await childFetch(url, {});

    expect(trusted).toBe('status 401');
    expect(untrusted).toMatch(/^error (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
  });
});
