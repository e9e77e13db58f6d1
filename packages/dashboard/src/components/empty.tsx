import type { ComponentChildren } from 'preact';

/** An empty state: says what would be here and how to get it there. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}
