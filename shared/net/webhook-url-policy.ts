import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import { isLoopbackAddress } from './address-policy.ts';
import { assertOutboundUrlAllowed, type OutboundPolicy, type Resolver } from './outbound-url.ts';

/** Longest endpoint URL we accept. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * The outbound policy for webhook URLs: https to public addresses only. Plain http (and loopback) only in
 * the local stack with ALLOW_INSECURE_WEBHOOK_URLS=1, so a receiver on this machine can be used; never in a
 * deployed stack, whatever the flag says.
 */
export function webhookUrlPolicy(settings: { isLocal: boolean; allowInsecure: boolean }): OutboundPolicy {
  const insecure = settings.isLocal && settings.allowInsecure;
  return { allowHttp: insecure, allowLoopback: insecure };
}

/** Thrown (with `code`) by `httpLoopbackResolver` so the sender classifies it as an SSRF refusal. */
export const ADDRESS_NOT_ALLOWED = 'EADDRNOTALLOWED';

/**
 * Plain http is for a receiver on this machine only: never a public host in clear text. This resolver
 * refuses a name that resolves to anything but loopback.
 */
export function httpLoopbackResolver(resolver: Resolver): Resolver {
  return async (hostname) => {
    const entries = await resolver(hostname);
    const other = entries.find((entry) => !isLoopbackAddress(entry.address));
    if (other) throw Object.assign(new Error(`plain http is allowed to loopback only, not ${other.address}`), { code: ADDRESS_NOT_ALLOWED });
    return entries;
  };
}

function field400(field: string, message: string): AppError {
  return new AppError('input.invalid', `${field} ${message}`, { details: { field } });
}

/**
 * Checks an endpoint URL at registration and again before each attempt: https (or http to loopback under the
 * local policy), no credentials, no fragment, every resolved address allowed (so a name that resolves to a
 * private address is refused even when it did not at registration). Throws `input.invalid` naming `field`;
 * returns the normalized URL.
 */
export async function assertWebhookUrl(raw: string, policy: OutboundPolicy, field: string, resolver: Resolver = systemResolver): Promise<URL> {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw field400(field, `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw field400(field, 'is not an absolute URL');
  }
  if (parsed.hash) throw field400(field, 'must not contain a fragment');
  let checkedResolver = resolver;
  if (parsed.protocol === 'http:' && policy.allowHttp) {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const entries = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await resolver(host).catch((error: unknown) => {
          throw new AppError('input.invalid', `${field}: the host ${host} does not resolve`, { details: { field }, cause: error });
        });
    if (entries.some((entry) => !isLoopbackAddress(entry.address))) throw field400(field, 'may use plain http only to a loopback address');
    checkedResolver = async () => entries;
  }
  return assertOutboundUrlAllowed(raw, policy, field, checkedResolver);
}
