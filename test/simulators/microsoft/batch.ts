import { GraphHttpError } from './graph-error.ts';
import { parseJsonBody, type SimRequest, type SimResponse } from './http-types.ts';

interface BatchStep {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

const MAX_STEPS = 20;

function parseSteps(request: SimRequest): BatchStep[] {
  const body = parseJsonBody(request) as { requests?: unknown };
  if (!body || !Array.isArray(body.requests) || body.requests.length === 0) throw new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format: "requests" must be a non-empty array.');
  if (body.requests.length > MAX_STEPS) throw new GraphHttpError(400, 'BadRequest', `The number of requests in the batch (${body.requests.length}) exceeds the maximum of ${MAX_STEPS}.`);
  const steps = body.requests.map((raw: unknown): BatchStep => {
    const step = (raw ?? {}) as Record<string, unknown>;
    if (typeof step.id !== 'string' || !step.id) throw new GraphHttpError(400, 'BadRequest', 'Every batch request needs a string "id".');
    if (typeof step.method !== 'string' || typeof step.url !== 'string') throw new GraphHttpError(400, 'BadRequest', `Batch request ${step.id} needs "method" and "url".`);
    if (/^[a-z]+:\/\//i.test(step.url)) throw new GraphHttpError(400, 'BadRequest', `Batch request ${step.id}: "url" must be relative (e.g. /me/events).`);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((step.headers ?? {}) as Record<string, unknown>)) headers[key.toLowerCase()] = String(value);
    const dependsOn = Array.isArray(step.dependsOn) ? step.dependsOn.map(String) : [];
    return { id: step.id, method: step.method.toUpperCase(), url: step.url.startsWith('/') ? step.url : `/${step.url}`, headers, body: step.body, dependsOn };
  });
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) throw new GraphHttpError(400, 'BadRequest', `Batch request id '${step.id}' is not unique.`);
    ids.add(step.id);
  }
  for (const step of steps) {
    const unknown = step.dependsOn.find((id) => !ids.has(id));
    if (unknown !== undefined) throw new GraphHttpError(400, 'BadRequest', `Batch request ${step.id} depends on unknown request '${unknown}'.`);
  }
  const byId = new Map(steps.map((step) => [step.id, step]));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string): void => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw new GraphHttpError(400, 'BadRequest', `Batch request dependencies form a cycle at '${id}'.`);
    visiting.add(id);
    for (const dependency of byId.get(id)!.dependsOn) visit(dependency);
    visiting.delete(id);
    done.add(id);
  };
  for (const step of steps) visit(step.id);
  return steps;
}

function innerRequest(step: BatchStep, outer: SimRequest): SimRequest {
  const url = new URL(`/v1.0${step.url}`, 'https://graph.invalid');
  const bodyText = step.body === undefined ? '' : typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
  return {
    method: step.method,
    path: url.pathname.split('/').map((segment) => decodeURIComponent(segment)).join('/'),
    rawPath: url.pathname,
    query: url.searchParams,
    headers: { ...step.headers, authorization: outer.headers.authorization ?? '', ...(bodyText && !step.headers['content-type'] ? { 'content-type': 'application/json' } : {}) },
    bodyText,
  };
}

/**
 * JSON batching (providers.md item 38): at most 20 steps; steps without `dependsOn` start together, so they
 * meet the mailbox concurrency limit like parallel calls would (an inner 429 inside an outer 200); a step
 * whose dependency failed answers 424. Responses come in completion order: match them by `id`.
 */
export async function runBatch(request: SimRequest, dispatch: (inner: SimRequest) => Promise<SimResponse>): Promise<SimResponse> {
  const steps = parseSteps(request);
  const responses: Record<string, unknown>[] = [];
  const outcomes = new Map<string, Promise<number>>();
  const run = async (step: BatchStep): Promise<number> => {
    const dependencies = await Promise.all(step.dependsOn.map((id) => outcomes.get(id)!));
    const response: SimResponse = dependencies.some((status) => status >= 400)
      ? { status: 424, json: { error: { code: 'FailedDependency', message: 'A request this one depends on failed.' } } }
      : await dispatch(innerRequest(step, request));
    const headers: Record<string, string> = { ...response.headers };
    if (response.json !== undefined) headers['Content-Type'] = 'application/json';
    responses.push({ id: step.id, status: response.status, headers, ...(response.json !== undefined ? { body: response.json } : {}) });
    return response.status;
  };
  // Dependencies may point forward, so every promise is registered before any step runs.
  const started: Promise<number>[] = [];
  let resolveStart!: () => void;
  const gate = new Promise<void>((resolve) => (resolveStart = resolve));
  for (const step of steps) {
    const promise = gate.then(() => run(step));
    outcomes.set(step.id, promise);
    started.push(promise);
  }
  resolveStart();
  await Promise.all(started);
  return { status: 200, json: { responses } };
}
