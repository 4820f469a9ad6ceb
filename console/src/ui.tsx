import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export type Load<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: Error };

/** Runs `load` when `deps` change; `reload` runs it again (after an action). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  // A reload keeps showing the last data until the new arrives (no flicker); new deps show "loading".
  const reloading = useRef(false);
  useEffect(() => {
    let current = true;
    const keep = reloading.current;
    reloading.current = false;
    setResult((previous) => (keep && previous.state === 'ok' ? previous : { state: 'loading' }));
    load().then(
      (data) => current && setResult({ state: 'ok', data }),
      (error: unknown) => current && setResult({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return [
    result,
    useCallback(() => {
      reloading.current = true;
      setRound((n) => n + 1);
    }, []),
  ];
}

export function Loaded<T>(props: { load: Load<T>; label: string; children: (data: T) => ComponentChildren }) {
  if (props.load.state === 'loading') return <p aria-busy="true">Loading {props.label}…</p>;
  if (props.load.state === 'error') return <ErrorBox error={props.load.error} />;
  return <>{props.children(props.load.data)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  const status = error instanceof ApiError ? ` (HTTP ${error.status}${error.problem.code ? `, ${error.problem.code}` : ''})` : '';
  return (
    <p class="error" role="alert">
      {error.message}
      {status}
    </p>
  );
}

/** The state of a page whose route is announced (scheduling.md §2) but not in this API yet. */
export function NotAvailable({ route }: { route: string }) {
  return (
    <div class="not-available" role="status">
      <strong>Not available yet.</strong> This API does not serve <code>{route}</code> (it is not in its OpenAPI
      document, or it answered 404). The page fills in once the route is deployed.
    </div>
  );
}

/** Runs an action, shows "working…" on its button, reports the outcome in a live region. */
export function useAction(): [(label: string, action: () => Promise<unknown>) => Promise<void>, ComponentChildren, boolean] {
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (label: string, action: () => Promise<unknown>) => {
    setBusy(true);
    setMessage(null);
    try {
      await action();
      setMessage({ kind: 'ok', text: `${label}: done.` });
    } catch (error) {
      setMessage({ kind: 'error', text: `${label} failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      setBusy(false);
    }
  }, []);
  const region = (
    <p class={message?.kind === 'error' ? 'error' : 'notice'} role="status" aria-live="polite">
      {message?.text ?? ''}
    </p>
  );
  return [run, region, busy];
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
