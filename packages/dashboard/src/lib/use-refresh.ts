import { useEffect } from 'preact/hooks';

/**
 * Calls `reload` every `ms` while `on` and the page is visible: a live list (the newest page of
 * webhook attempts, pending deliveries) follows the server; an older page stays as it is while read.
 */
export function useRefresh(reload: () => void, on: boolean, ms: number): void {
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, ms);
    return () => clearInterval(t);
  }, [reload, on, ms]);
}
