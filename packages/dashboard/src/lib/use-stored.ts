import { useCallback, useState } from 'preact/hooks';

/** A value kept in localStorage (UI preferences only: the key has its own place, api/session.ts). */
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
