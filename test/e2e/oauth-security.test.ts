import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sandboxSimulators } from '../../infra/local/sandbox-google.ts';
import { logger } from '../../shared/runtime/logger.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

let stack: TestStack;
let output = '';
let errorOutput = '';

beforeAll(async () => {
  for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET']) delete process.env[name];
  process.env.ALLOWED_RETURN_ORIGINS = 'https://app.example.com';
  stack = await startTestStack({ sandbox: 'on' });
  logger.setLogLevel('DEBUG');
  // Both streams: warnings and errors (where a token would most likely leak, in an error's details) go to
  // stderr; so do console.error/console.warn of any dependency.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output += String(chunk);
      if (stream === process.stderr) errorOutput += String(chunk);
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output += `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`;
      original(...args);
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  logger.setLogLevel('WARN');
  delete process.env.ALLOWED_RETURN_ORIGINS;
  await stack?.stop();
});

async function authorize(body: Record<string, unknown> = {}, provider = 'google'): Promise<Response> {
  return stack.api(`/v1/connections/${provider}/authorize`, { method: 'POST', body: JSON.stringify(body) });
}

async function consent(authorizationUrl: string): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

const fieldOf = async (response: Response) => ((await response.json()) as { errors?: { field: string }[] }).errors?.[0]?.field;

describe('OAuth callback defences (scenario 15)', () => {
  it('always asks for PKCE S256 with a fresh state, and never puts a token in a URL', async () => {
    const urls = await Promise.all([authorize(), authorize()].map(async (r) => new URL(((await (await r).json()) as { authorizationUrl: string }).authorizationUrl)));
    for (const url of urls) {
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.has('code_verifier')).toBe(false);
    }
    expect(urls[0]!.searchParams.get('state')).not.toBe(urls[1]!.searchParams.get('state'));
  });

  it('rejects a missing, unknown or reused state, and a replayed code creates no second connection', async () => {
    expect(await fieldOf(await fetch(`${stack.url}/v1/oauth/google/callback?code=abc`))).toBe('query.state');
    expect(await fieldOf(await fetch(`${stack.url}/v1/oauth/google/callback?code=abc&state=forged`))).toBe('query.state');

    const { authorizationUrl } = (await (await authorize()).json()) as { authorizationUrl: string };
    const callback = await consent(authorizationUrl);
    expect((await fetch(callback)).status).toBe(200);
    const replay = await fetch(callback);
    expect(replay.status).toBe(400);
    expect(await fieldOf(replay)).toBe('query.state');

    // The same code with a fresh state is refused by the provider (single-use code), nothing is created.
    const second = new URL(((await (await authorize()).json()) as { authorizationUrl: string }).authorizationUrl);
    const replayedCode = new URL(`${stack.url}/v1/oauth/google/callback`);
    replayedCode.searchParams.set('code', callback.searchParams.get('code')!);
    replayedCode.searchParams.set('state', second.searchParams.get('state')!);
    const refused = await fetch(replayedCode);
    expect(refused.status).toBe(400);
    expect(await fieldOf(refused)).toBe('query.code');
    const connections = (await (await stack.api('/v1/connections')).json()) as { items: unknown[] };
    expect(connections.items).toHaveLength(1);
  });

  it('refuses a state issued for another provider (mix-up)', async () => {
    const { authorizationUrl } = (await (await authorize()).json()) as { authorizationUrl: string };
    const callback = await consent(authorizationUrl);
    const mixedUp = new URL(callback.toString().replace('/v1/oauth/google/', '/v1/oauth/microsoft/'));
    const response = await fetch(mixedUp);
    expect(response.status).toBe(400);
    expect(await fieldOf(response)).toBe('query.state');
  });

  it('redirects only to an allowed origin (no open redirect)', async () => {
    const evil = await authorize({ returnUrl: 'https://evil.example.net/steal' });
    expect(evil.status).toBe(400);
    expect(await fieldOf(evil)).toBe('body.returnUrl');
    const lookalike = await authorize({ returnUrl: 'https://app.example.com.evil.net/' });
    expect(lookalike.status).toBe(400);

    const ok = (await (await authorize({ returnUrl: 'https://app.example.com/settings/calendars' })).json()) as { authorizationUrl: string };
    const done = await fetch(await consent(ok.authorizationUrl), { redirect: 'manual' });
    expect(done.status).toBe(302);
    const location = new URL(done.headers.get('location')!);
    expect(location.origin).toBe('https://app.example.com');
    expect(location.searchParams.get('status')).toBe('connected');
    expect(location.searchParams.get('connectionId')).toMatch(/^con_/);
    expect(location.toString()).not.toMatch(/token|code=/i);
  });

  it('sends a denied consent back as an error, and logs no token anywhere', async () => {
    sandboxSimulators.google!.denyNextConsent();
    const { authorizationUrl } = (await (await authorize({ returnUrl: 'https://app.example.com/back' })).json()) as { authorizationUrl: string };
    const denied = await fetch(await consent(authorizationUrl), { redirect: 'manual' });
    expect(denied.status).toBe(302);
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');

    const creds = await import('../../shared/runtime/deps/storage.ts').then((m) => m.connectionStore());
    const connections = (await (await stack.api('/v1/connections')).json()) as { items: { id: string }[] };
    const stored = await creds.getCredentials(stack.devTenantId, connections.items[0]!.id);
    const tokens = stored?.credentials.kind === 'oauth' ? [stored.credentials.accessToken, stored.credentials.refreshToken!] : [];
    expect(tokens.length).toBe(2);
    expect(output.length).toBeGreaterThan(0);
    // The stderr capture is live: an error logged now is seen there.
    logger.error('stderr capture check');
    expect(errorOutput).toContain('stderr capture check');
    for (const token of tokens) expect(output).not.toContain(token);
    for (const token of tokens) expect(errorOutput).not.toContain(token);
  });
});

describe('push receivers stay fast while workers are slow (scenario 11)', () => {
  it('answers Google pushes in well under 3 s even when every provider call takes seconds', async () => {
    const google = sandboxSimulators.google!;
    const channel = google.channels().find((c) => c.address.startsWith(stack.url));
    expect(channel).toBeDefined();
    google.setLatency({ ms: 2_500, route: 'events.list' });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await fetch(`${stack.url}/hooks/google`, {
        method: 'POST',
        headers: { 'x-goog-channel-id': channel!.id, 'x-goog-channel-token': channel!.token ?? '', 'x-goog-resource-state': 'exists', 'x-goog-message-number': String(100 + i), 'x-goog-resource-id': channel!.resourceId },
      });
      times.push(performance.now() - started);
      expect(response.status).toBe(200);
    }
    google.clearFaults();
    expect(Math.max(...times)).toBeLessThan(1_000);
  });
});
