import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox } from '../components/error-box';
import { Loading } from '../components/loading';

/** A page's code, fetched the first time it is shown (each page is its own chunk). */
export type PageLoader<P> = () => Promise<ComponentType<P>>;

const loaded = new Map<PageLoader<never>, ComponentType<never>>();

/**
 * Shows the page `load` fetches, with its props. The first visit waits for the chunk (a few KB);
 * later ones render at once. A chunk that fails to load (the server was upgraded meanwhile) asks
 * for a reload.
 */
export function LazyPage<P extends object>({ load, props }: { load: PageLoader<P>; props: P }) {
  const [Page, setPage] = useState<ComponentType<P> | undefined>(
    () => loaded.get(load as PageLoader<never>) as ComponentType<P> | undefined,
  );
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (Page) return;
    let live = true;
    load().then(
      (c) => {
        loaded.set(load as PageLoader<never>, c as ComponentType<never>);
        if (live) setPage(() => c);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (error)
    return (
      <ErrorBox
        error={
          new Error('This page could not be loaded: reload the page (the server may have been upgraded).')
        }
        retry={() => location.reload()}
      />
    );
  if (!Page) return <Loading />;
  return <Page {...props} />;
}
