import { randomUUID } from 'node:crypto';

/** An error answer in Graph's shape (`{"error":{"code","message","innerError":{...}}}`, providers.md item 40). */
export class GraphHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'GraphHttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function graphErrorBody(code: string, message: string, requestId: string, now: Date, clientRequestId?: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: now.toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': clientRequestId ?? randomUUID(),
      },
    },
  };
}

export const notFound = (): GraphHttpError => new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
export const malformedId = (): GraphHttpError => new GraphHttpError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
export const badRequest = (message: string, code = 'ErrorInvalidRequest'): GraphHttpError => new GraphHttpError(400, code, message);
