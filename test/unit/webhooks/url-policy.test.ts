import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import type { Resolver } from '../../../shared/net/outbound-url.ts';
import { assertWebhookUrl, webhookUrlPolicy } from '../../../shared/net/webhook-url-policy.ts';

const DNS: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  'loopback.nip.test': ['127.0.0.1'],
  'rebind.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.216.34', '10.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'ula.example.com': ['fd12:3456::1'],
};
const resolver: Resolver = async (hostname) => {
  const addresses = DNS[hostname];
  if (!addresses) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const deployed = webhookUrlPolicy({ isLocal: false, allowInsecure: true });
const local = webhookUrlPolicy({ isLocal: true, allowInsecure: true });

async function refusal(url: string, policy = deployed): Promise<string | null> {
  try {
    await assertWebhookUrl(url, policy, 'body.url', resolver);
    return null;
  } catch (error) {
    if (!isAppError(error, 'input.invalid')) throw error;
    expect(error.details?.field).toBe('body.url');
    return error.message;
  }
}

describe('webhook URL policy (SSRF)', () => {
  it('ignores ALLOW_INSECURE_WEBHOOK_URLS outside the local stack', () => {
    expect(deployed).toEqual({ allowHttp: false, allowLoopback: false });
    expect(webhookUrlPolicy({ isLocal: true, allowInsecure: false })).toEqual({ allowHttp: false, allowLoopback: false });
    expect(local).toEqual({ allowHttp: true, allowLoopback: true });
  });

  it('accepts a public https URL and normalizes it', async () => {
    expect((await assertWebhookUrl('https://HOOKS.example.com/in?x=1', deployed, 'body.url', resolver)).href).toBe('https://hooks.example.com/in?x=1');
  });

  it.each([
    ['metadata IP', 'https://169.254.169.254/latest/meta-data/'],
    ['metadata IPv6 (ULA)', 'https://[fd00:ec2::254]/'],
    ['a name resolving to the metadata IP', 'https://metadata.example.com/'],
    ['localhost', 'https://localhost/hook'],
    ['localhost with a trailing dot', 'https://localhost./hook'],
    ['a DNS name resolving to loopback', 'https://loopback.nip.test/'],
    ['127.0.0.1', 'https://127.0.0.1/'],
    ['127.1 shorthand', 'https://127.1/'],
    ['hex loopback', 'https://0x7f000001/'],
    ['decimal loopback', 'https://2130706433/'],
    ['0.0.0.0', 'https://0.0.0.0/'],
    ['10/8', 'https://10.1.2.3/'],
    ['172.16/12', 'https://172.20.0.1/'],
    ['192.168/16', 'https://192.168.0.10/'],
    ['100.64/10 shared', 'https://100.64.0.1/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/'],
    ['IPv6 unique-local', 'https://[fc00::1]/'],
    ['IPv6 link-local', 'https://[fe80::1]/'],
    ['a DNS name resolving to a private address (rebinding)', 'https://rebind.example.com/'],
    ['a DNS name with one private address among public ones', 'https://mixed.example.com/'],
    ['a DNS name resolving to a ULA', 'https://ula.example.com/'],
  ])('refuses %s', async (_name, url) => {
    expect(await refusal(url)).toMatch(/private, loopback or link-local/);
  });

  it.each([
    ['plain http', 'http://hooks.example.com/', /must use https/],
    ['credentials', 'https://user:pass@hooks.example.com/', /credentials/],
    ['a fragment', 'https://hooks.example.com/#x', /fragment/],
    ['no URL', 'hooks.example.com/in', /absolute URL/],
    ['ftp', 'ftp://hooks.example.com/', /must use https/],
    ['a name that does not resolve', 'https://nowhere.example.com/', /does not resolve/],
    ['an overlong URL', `https://hooks.example.com/${'a'.repeat(2100)}`, /longer than/],
  ])('refuses %s', async (_name, url, message) => {
    expect(await refusal(url)).toMatch(message);
  });

  it('in the local stack with the flag, allows plain http to loopback only', async () => {
    expect(await refusal('http://127.0.0.1:4000/webhook', local)).toBeNull();
    expect(await refusal('http://localhost:4000/webhook', local)).toBeNull();
    expect(await refusal('http://[::1]:4000/webhook', local)).toBeNull();
    expect(await refusal('http://hooks.example.com/', local)).toMatch(/plain http only to a loopback/);
    expect(await refusal('http://10.0.0.1/', local)).toMatch(/plain http only to a loopback/);
    expect(await refusal('http://rebind.example.com/', local)).toMatch(/plain http only to a loopback/);
    expect(await refusal('https://169.254.169.254/', local)).toMatch(/private, loopback or link-local/);
    expect(await refusal('https://[fd00::1]/', local)).toMatch(/private, loopback or link-local/);
    expect(await refusal('https://hooks.example.com/', local)).toBeNull();
  });
});
