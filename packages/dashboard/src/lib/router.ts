import { useEffect, useState } from 'preact/hooks';

/** A small router over the History API; the server answers every dashboard path with index.html. */

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

/** The current path and query; re-renders on navigation and Back/Forward. */
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
