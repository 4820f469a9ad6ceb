import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/domain/app-error.ts';
import { isPublicAddress } from '../../../shared/net/address-policy.ts';
import { assertOutboundUrlAllowed } from '../../../shared/net/outbound-url.ts';

const strict = { allowHttp: false, allowLoopback: false };

describe('outbound address policy (SSRF)', () => {
  it.each([
    '127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', 'ff02::1',
  ])('refuses %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('checks every resolved address of a name, and the scheme', async () => {
    const rebinding = async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }];
    const reject = (url: string, resolver?: () => Promise<{ address: string; family: number }[]>) =>
      assertOutboundUrlAllowed(url, strict, 'body.url', resolver).then(() => null, (e: unknown) => e);
    expect(isAppError(await reject('https://evil.example/hook', rebinding), 'input.invalid')).toBe(true);
    expect(isAppError(await reject('http://hooks.example/x', async () => [{ address: '93.184.216.34', family: 4 }]), 'input.invalid')).toBe(true);
    expect(isAppError(await reject('https://user:pw@hooks.example/x', async () => [{ address: '93.184.216.34', family: 4 }]), 'input.invalid')).toBe(true);
    expect(isAppError(await reject('https://[::1]/x'), 'input.invalid')).toBe(true);
    expect(isAppError(await reject('https://169.254.169.254/latest/meta-data'), 'input.invalid')).toBe(true);
    expect(await reject('https://hooks.example/x', async () => [{ address: '93.184.216.34', family: 4 }])).toBeNull();
    expect(await assertOutboundUrlAllowed('http://127.0.0.1:8080/x', { allowHttp: true, allowLoopback: true }, 'body.url')).toBeInstanceOf(URL);
  });
});
