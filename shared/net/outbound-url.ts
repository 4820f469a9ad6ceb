import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import { isLoopbackAddress, isPublicAddress } from './address-policy.ts';

export interface OutboundPolicy {
  /** Allow plain http (local stack only). */
  allowHttp: boolean;
  /** Allow loopback addresses (local stack only: simulators, receivers and Radicale on 127.0.0.1). */
  allowLoopback: boolean;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Whether one resolved address may be called under the policy. */
export function addressAllowed(address: string, policy: OutboundPolicy): boolean {
  return isPublicAddress(address) || (policy.allowLoopback && isLoopbackAddress(address));
}

/**
 * Checks a URL we are about to call on someone's behalf (a webhook endpoint, a CalDAV server): https only
 * (unless the policy allows http), no credentials in it, and every address its host resolves to must be
 * public. Call it when the URL is registered and again right before sending, since DNS can change
 * (rebinding); a caller that connects should also pin the checked address (see `pinnedLookup`).
 * Throws `input.invalid` naming `field`.
 */
export async function assertOutboundUrlAllowed(raw: string, policy: OutboundPolicy, field: string, resolver: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('input.invalid', `${field} is not an absolute URL`, { details: { field } });
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    throw new AppError('input.invalid', `${field} must use https`, { details: { field } });
  }
  if (url.username || url.password) throw new AppError('input.invalid', `${field} must not contain credentials`, { details: { field } });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolver(host)).map((entry) => entry.address);
    } catch (error) {
      throw new AppError('input.invalid', `${field}: the host ${host} does not resolve`, { details: { field }, cause: error });
    }
  }
  if (addresses.length === 0 || addresses.some((address) => !addressAllowed(address, policy))) {
    throw new AppError('input.invalid', `${field} points to a private, loopback or link-local address, which is not allowed`, { details: { field } });
  }
  return url;
}

/**
 * A `lookup` for `http.request`/`https.request` that resolves, refuses disallowed addresses and hands the
 * checked address to the socket: the connection goes exactly where the check looked (no rebinding window).
 */
export function pinnedLookup(policy: OutboundPolicy, resolver: Resolver = systemResolver) {
  return (hostname: string, options: unknown, callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void): void => {
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const resolve = isIP(hostname) ? Promise.resolve([{ address: hostname, family: isIP(hostname) }]) : resolver(hostname);
    resolve.then(
      (entries) => {
        const denied = entries.find((entry) => !addressAllowed(entry.address, policy));
        if (entries.length === 0 || denied) {
          callback(Object.assign(new Error(`refused to connect to ${denied?.address ?? hostname}: not a public address`), { code: 'EADDRNOTALLOWED' }), '', 4);
          return;
        }
        if (all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: Error) => callback(error, '', 4),
    );
  };
}
