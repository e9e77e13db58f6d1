export function Pager({
  hasPrev,
  hasNext,
  onPrev,
  onNext,
  page,
  label,
}: {
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  page: number;
  label: string;
}) {
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
