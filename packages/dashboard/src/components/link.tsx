import type { ComponentChildren, JSX } from 'preact';
import { navigate } from '../lib/router';

type Props = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An `<a>` that navigates in-app on a plain click and behaves as a link otherwise (new tab, copy). */
export function Link({ href, onClick, ...rest }: Props) {
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
