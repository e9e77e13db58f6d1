import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

// ---- Router: the History API, with the server's SPA fallback serving index.html ---------------

const NAVIGATE = 'roster:navigate';

export function currentPath(): string {
  return location.pathname + location.search;
}

/** How many in-app navigations have happened (page titles take focus only after one). */
export const navigation = { count: 0 };

export function navigate(to: string, replace = false): void {
  if (to === currentPath()) return;
  navigation.count++;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useLocation(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    const pop = () => {
      navigation.count++;
      update();
    };
    window.addEventListener('popstate', pop);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', pop);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return path;
}

export function searchParam(name: string): string {
  return new URLSearchParams(location.search).get(name) ?? '';
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An `<a>` that navigates in-app on a plain click and behaves as a link otherwise (new tab, copy). */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  return (
    <a
      href={href}
      onClick={(e) => {
        if (onClick) (onClick as (ev: Event) => void)(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}

// ---- Data loading ------------------------------------------------------------------------------

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; aborts the previous request; keeps the last data while reloading. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => ctl.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

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

/** "Load more" pagination: pages accumulate; a change of `deps` starts again from the first page. */
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

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** A value kept in localStorage (UI preferences only: never keys). */
export function useStored<T>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (next: T) => {
      setV(next);
      try {
        localStorage.setItem(key, JSON.stringify(next));
      } catch {
        /* private mode: the preference lasts for this page only */
      }
    },
    [key],
  );
  return [v, set];
}

/** Cursor pagination over `start`/`next`: remembers earlier cursors so Previous works; a new `resetKey` starts over. */
export function useCursor(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key: resetKey, stack: [''] });
  const stack = state.key === resetKey ? state.stack : [''];
  const start = stack[stack.length - 1] ?? '';
  return {
    start,
    page: stack.length,
    hasPrev: stack.length > 1,
    next: (cursor: string) => setState({ key: resetKey, stack: [...stack, cursor] }),
    prev: () => setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
    reset: () => setState({ key: resetKey, stack: [''] }),
  };
}

// ---- Formatting --------------------------------------------------------------------------------

const rtf =
  typeof Intl !== 'undefined' && 'RelativeTimeFormat' in Intl
    ? new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
    : null;

export function relative(unix: number, now = Date.now() / 1000): string {
  const d = unix - now;
  const abs = Math.abs(d);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, secs] of units) {
    if (abs >= secs)
      return rtf ? rtf.format(Math.round(d / secs), unit) : new Date(unix * 1000).toLocaleString();
  }
  return 'just now';
}

export function fullTime(unix: number): string {
  return new Date(unix * 1000).toLocaleString();
}

export const num = (n: number) => n.toLocaleString();

/** Attribute values are strings; objects and arrays arrive as JSON text. */
export function parseNested(value: string): unknown | undefined {
  const t = value.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
