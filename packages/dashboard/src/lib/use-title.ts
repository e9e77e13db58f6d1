import { useEffect } from 'preact/hooks';

/** The browser tab's title for this page: "Dana · People · Roster". */
export function useTitle(...parts: Array<string | null | undefined | false>): void {
  const title = [...parts.filter(Boolean), 'Roster'].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
