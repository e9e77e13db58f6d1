import { useEffect } from 'preact/hooks';
import { useAsync, type AsyncState } from './use-async';
import { useCursor, type Cursor } from './use-cursor';

/** How often the first page refreshes while it is shown. */
const REFRESH_MS = 3000;

/**
 * A cursor-paged list whose first page follows the server (webhook attempts, deliveries): it
 * reloads every few seconds while the page is visible; an older page stays as it is while read.
 * A new `resetKey` starts over at the first page.
 */
export function useLivePages<T>(
  resetKey: string,
  load: (start: string, signal: AbortSignal) => Promise<T>,
  deps: unknown[],
): { cursor: Cursor; state: AsyncState<T>; first: boolean } {
  const cursor = useCursor(resetKey);
  const state = useAsync((s) => load(cursor.start, s), [...deps, cursor.start]);
  const first = cursor.page === 1;
  const { reload } = state;
  useEffect(() => {
    if (!first) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload, first]);
  return { cursor, state, first };
}
