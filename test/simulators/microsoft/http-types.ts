import { GraphHttpError } from './graph-error.ts';

/** A request as the dispatcher sees it (from the socket, or one step of a `$batch`). */
export interface SimRequest {
  method: string;
  /** Path without the query, percent-decoded per segment. */
  path: string;
  /** The path exactly as the client sent it (used to build next/delta links). */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  bodyText: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON. */
  json?: unknown;
  /** Sent as-is (HTML pages, plain text). */
  text?: string;
}

/** Query values by case-insensitive name, as Graph reads them (`startdatetime` = `startDateTime`). */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export interface Prefer {
  maxPageSize: number | null;
  timeZone: string | null;
  bodyContentType: 'text' | 'html' | null;
}

/** `Prefer: odata.maxpagesize=50, outlook.timezone="Pacific Standard Time"` (one header or several). */
export function parsePrefer(header: string | undefined): Prefer {
  const prefer: Prefer = { maxPageSize: null, timeZone: null, bodyContentType: null };
  if (!header) return prefer;
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const key = part.slice(0, index).trim().toLowerCase();
    const value = part.slice(index + 1).trim().replace(/^"|"$/g, '');
    if (key === 'odata.maxpagesize' && /^\d+$/.test(value) && Number(value) > 0) prefer.maxPageSize = Number(value);
    if (key === 'outlook.timezone' && value) prefer.timeZone = value;
    if (key === 'outlook.body-content-type' && /^(text|html)$/i.test(value)) prefer.bodyContentType = value.toLowerCase() as 'text' | 'html';
  }
  return prefer;
}

export function parseJsonBody(request: SimRequest): unknown {
  if (!request.bodyText.trim()) throw new GraphHttpError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
  try {
    return JSON.parse(request.bodyText);
  } catch {
    throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
}
