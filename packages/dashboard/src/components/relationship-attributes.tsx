import { relationshipValue } from '../models/objects';

/** A relationship's own attributes (`role: admin`), or a dash when it has none. */
export function RelationshipAttributes({ value }: { value: Readonly<Record<string, unknown>> }) {
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return <span class="muted">—</span>;
  return (
    <dl class="kv compact inline-kv" data-testid="relationship-attributes">
      {keys.map((k) => [
        <dt key={`k-${k}`}>{k}</dt>,
        <dd key={`v-${k}`}>
          <code>{relationshipValue(value[k])}</code>
        </dd>,
      ])}
    </dl>
  );
}
