import { createApiClient } from '../../client/index.ts';

const TOKEN_KEY = 'calendar-integrations.console.token';

/** The signed-in JWT, per browser tab (sessionStorage: closing the tab signs out). */
export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token.trim());
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Every API call of the console goes through this one generated client (client/index.ts). */
export const api = createApiClient({ baseUrl: location.origin, token: () => session.token() });

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    const fields = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
    super(fields || problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the RFC 9457 problem. */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? {}) as Problem);
  return data as D;
}

let contractPaths: Promise<Set<string>> | null = null;

/**
 * Whether this API's contract (GET /openapi.json) has a path. Pages for announced-but-unbuilt routes ask
 * first, so the console shows "not available" without sending a request that would 404.
 */
export function hasRoute(path: string): Promise<boolean> {
  contractPaths ??= unwrap(api.GET('/openapi.json', { parseAs: 'json' })).then(
    (doc) => new Set(Object.keys((doc as unknown as { paths?: Record<string, unknown> }).paths ?? {})),
    () => new Set<string>(),
  );
  return contractPaths.then((paths) => paths.has(path));
}
