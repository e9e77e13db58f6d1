import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { navigation } from '../lib/router';
import { useTitle } from '../lib/use-title';

/**
 * The page heading. Names the browser tab (`tab`, e.g. ["dana@example.com", "People"]) and takes
 * focus after an in-app navigation, so keyboard and screen-reader users land on it.
 */
export function PageTitle({
  children,
  tab,
  actions,
}: {
  children: ComponentChildren;
  tab: Array<string | null | undefined>;
  actions?: ComponentChildren;
}) {
  useTitle(...tab);
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (
      navigation.count > 0 &&
      (document.activeElement === document.body || document.activeElement?.closest('nav.main'))
    )
      ref.current?.focus();
  }, []);
  return (
    <div class="page-head">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {actions ? <div class="actions">{actions}</div> : null}
    </div>
  );
}
