import { useEffect, useRef } from 'preact/hooks';
import { Link } from '../components/link';
import { useOverflowCue } from '../lib/use-overflow-cue';
import { isActive, NAV } from './routes';

/**
 * The sections. On a phone the list scrolls sideways: a fade at either end says there is more,
 * and the current section is scrolled into view.
 */
export function MainNav({ path }: { path: string }) {
  const ref = useRef<HTMLElement>(null);
  const cue = useOverflowCue(ref);
  useEffect(() => {
    ref.current
      ?.querySelector('[aria-current="page"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [path]);
  return (
    <div
      class={`nav-wrap${cue.start ? ' more-start' : ''}${cue.end ? ' more-end' : ''}`}
      data-testid="nav-wrap"
    >
      <nav class="main" aria-label="Main" ref={ref}>
        <ul>
          {NAV.map((n) => (
            <li key={n.href}>
              <Link href={n.href} aria-current={isActive(n.href, path) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
