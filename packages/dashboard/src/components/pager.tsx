import type { Cursor } from '../lib/use-cursor';

/** Previous / page n / Next over a cursor-paged list (`useCursor`); nothing when there is one page. */
export function Pager({
  label,
  cursor,
  next,
}: {
  label: string;
  /** The list's `useCursor`. */
  cursor: Cursor;
  /** The answer's `next` cursor ('' or absent on the last page). */
  next: string | undefined;
}) {
  const { hasPrev, page } = cursor;
  const hasNext = !!next;
  const onPrev = cursor.prev;
  const onNext = () => cursor.next(next ?? '');
  if (!hasPrev && !hasNext) return null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrev} disabled={!hasPrev}>
        ← Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next →
      </button>
    </nav>
  );
}
