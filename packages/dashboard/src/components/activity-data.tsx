import { isFlat } from '../models/activity';
import { JsonView } from './json-view';

/** A value in an activity: code, or "(none)" when empty. */
export const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? (
    <span class="muted">(none)</span>
  ) : (
    <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
  );

/** Event data: a short flat object as "key value" pairs, anything bigger folded away as JSON. */
export function ActivityData({ data }: { data: Record<string, unknown> }) {
  const keys = Object.keys(data);
  if (keys.length === 0) return null;
  if (isFlat(data))
    return (
      <dl class="kv compact inline-kv">
        {keys.map((k) => [<dt key={`k-${k}`}>{k}</dt>, <dd key={`v-${k}`}>{show(data[k])}</dd>])}
      </dl>
    );
  return (
    <details class="data">
      <summary>Data ({keys.length} fields)</summary>
      <JsonView value={data} />
    </details>
  );
}
