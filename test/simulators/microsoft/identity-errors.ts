import { randomUUID } from 'node:crypto';
import type { SimResponse } from './http-types.ts';

/** AADSTS codes the simulator answers with (Microsoft identity platform error catalogue). */
export const AADSTS = {
  invalidGrant: 70000,
  codeExpired: 70008,
  codeRedeemed: 54005,
  replyMismatch: 500112,
  pkceMismatch: 501481,
  pkceRequired: 9002325,
  missingParameter: 900144,
  malformed: 9002313,
  unsupportedGrant: 70003,
  appNotFound: 700016,
  invalidSecret: 7000215,
  missingSecret: 7000218,
  tenantNotFound: 90002,
  replyUrlNotRegistered: 50011,
  consentRequired: 65001,
  userDeclined: 65004,
  inactivity: 700082,
  revoked: 50173,
} as const;

export const REFRESH_FAILURE_MESSAGES: Record<number, (issuedAt: string) => string> = {
  [AADSTS.inactivity]: (issuedAt) =>
    `The refresh token has expired due to inactivity. The token was issued on ${issuedAt} and was inactive for 90.00:00:00.`,
  [AADSTS.revoked]: (issuedAt) =>
    `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${issuedAt}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${new Date().toISOString()}'.`,
};

/** `{error, error_description: "AADSTSnnn: …\r\nTrace ID…", error_codes, timestamp, trace_id, correlation_id}`. */
export function aadError(status: number, error: string, code: number, message: string, loginUrl: string): SimResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    json: {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${loginUrl}/error?code=${code}`,
    },
  };
}

/** The sign-in page's error screen: no redirect when the client or redirect URI cannot be trusted. */
export function aadErrorPage(code: number, message: string): SimResponse {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, text: `<!DOCTYPE html><html><body><h1>Sign in</h1><p>AADSTS${code}: ${escaped}</p></body></html>` };
}
