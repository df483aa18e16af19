import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface AsyncState<T> {
  value?: T;
  error?: Error;
  loading: boolean;
  /** Loads again, keeping the current value on screen until the new one arrives. */
  reload: () => void;
}

/** Runs `load` when `deps` (what `load` reads) change; a stale answer never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<Omit<AsyncState<T>, "reload">>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const keepValue = useRef(false);
  useEffect(() => {
    let current = true;
    const kept = keepValue.current;
    keepValue.current = false;
    setState((previous) => ({ value: kept ? previous.value : undefined, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => {
    keepValue.current = true;
    setGeneration((g) => g + 1);
  }, []);
  return { ...state, reload };
}
