import { googleErrors } from './errors.ts';
import { isKnownZone, parseDateTime } from './zone-time.ts';

/** Typed readers for query parameters, failing with Google's 400 shapes. */
export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw googleErrors.invalid(`Invalid boolean value: '${value}'.`, name);
}

export function instantParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  // Google wants an offset on every RFC 3339 bound (providers.md item 7).
  const ms = parseDateTime(value, null);
  if (ms === null) throw googleErrors.badRequest();
  return ms;
}

export function maxResultsParam(query: URLSearchParams, fallback: number, ceiling: number): number {
  const value = query.get('maxResults');
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw googleErrors.invalid(`Invalid value '${value}'. Values must be within the range: [1, ${ceiling}]`, 'maxResults');
  return Math.min(n, ceiling);
}

export function zoneParam(query: URLSearchParams): string | undefined {
  const value = query.get('timeZone');
  if (value === null) return undefined;
  if (!isKnownZone(value)) throw googleErrors.invalid('Invalid time zone definition.', 'timeZone');
  return value;
}

/** Parameters every Google API accepts and that never change what a list means. */
export const STANDARD_PARAMS = new Set(['alt', 'fields', 'key', 'oauth_token', 'access_token', 'prettyPrint', 'quotaUser', 'userIp', '$.xgafv', 'callback', 'upload_protocol', 'uploadType']);
