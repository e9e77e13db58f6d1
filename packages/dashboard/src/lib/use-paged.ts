import { useEffect, useRef, useState } from 'preact/hooks';

export interface PagedState<T> {
  items: T[];
  next: string;
  /** The first page has arrived (or failed). */
  loaded: boolean;
  loading: boolean;
  error: unknown;
  more: () => void;
  reload: () => void;
}

/** "Show more" pagination: pages accumulate; a change of `deps` starts again from the first page. */
export function usePaged<T>(
  load: (start: string, signal: AbortSignal) => Promise<{ items: T[]; next: string }>,
  deps: unknown[],
): PagedState<T> {
  const [s, setS] = useState({
    items: [] as T[],
    next: '',
    loaded: false,
    loading: true,
    error: undefined as unknown,
  });
  const ctl = useRef<AbortController | null>(null);
  const [tick, setTick] = useState(0);
  const fetchPage = (start: string, append: boolean) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setS((p) => ({ ...p, loading: true, error: undefined }));
    load(start, c.signal).then(
      (r) => {
        if (!c.signal.aborted)
          setS((p) => ({
            items: append ? [...p.items, ...r.items] : r.items,
            next: r.next,
            loaded: true,
            loading: false,
            error: undefined,
          }));
      },
      (error: unknown) => {
        if (!c.signal.aborted) setS((p) => ({ ...p, loaded: true, loading: false, error }));
      },
    );
  };
  useEffect(() => {
    setS({ items: [], next: '', loaded: false, loading: true, error: undefined });
    fetchPage('', false);
    return () => ctl.current?.abort();
  }, [...deps, tick]);
  return {
    ...s,
    more: () => {
      if (s.next && !s.loading) fetchPage(s.next, true);
    },
    reload: () => setTick((t) => t + 1),
  };
}
