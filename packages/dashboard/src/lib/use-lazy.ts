import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const cache = new Map<() => Promise<unknown>, unknown>();

/**
 * A component whose code is fetched when it is first needed (the conditions builder on People is
 * only downloaded once someone opens it). Undefined until it has arrived.
 */
export function useLazy<P>(
  load: () => Promise<ComponentType<P>>,
  wanted = true,
): ComponentType<P> | undefined {
  const [c, setC] = useState(() => cache.get(load) as ComponentType<P> | undefined);
  useEffect(() => {
    if (c || !wanted) return;
    let live = true;
    void load().then((loaded) => {
      cache.set(load, loaded);
      if (live) setC(() => loaded);
    });
    return () => {
      live = false;
    };
  }, [wanted]);
  return c;
}
