import type { BuilderContext } from './builder-context';

/** "In segment": one of the workspace's segments (never the one being edited). */
export function SegmentPicker({
  value,
  onChange,
  ctx,
}: {
  value: number;
  onChange: (id: number) => void;
  ctx: BuilderContext;
}) {
  const options = ctx.segments.filter((s) => s.id !== ctx.excludeSegment);
  const known = value === 0 || options.some((s) => s.id === value);
  return (
    <div class="cond-row">
      <select
        aria-label="Segment"
        value={String(value)}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      >
        <option value="0">Choose a segment…</option>
        {known ? null : <option value={String(value)}>Segment #{value}</option>}
        {options.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}
