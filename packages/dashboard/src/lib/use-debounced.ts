import { useEffect, useState } from 'preact/hooks';

/** `value`, once it has stopped changing for `ms` (live counts and previews while typing). */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
