// Loading state for API calls and the browser-session API key.
import { useEffect, useState } from "preact/hooks";

/** What a page knows about one load: the data, the error, or still loading. */
export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/** Run `load` when `deps` change (aborting the previous one); re-run with `reload`. */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: unknown) =>
        !controller.signal.aborted && setState({ data: undefined, error, loading: false }),
    );
    return () => controller.abort();
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

const KEY_STORAGE = "qe-api-key";

/** The API key, asked once and kept for the browser session (sessionStorage). */
export function storedApiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

/** Keep (or with null, forget) the API key for this browser session. */
export function storeApiKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}
