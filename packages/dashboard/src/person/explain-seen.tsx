import { Link } from '../components/link';
import { platformName } from '../models/format';
import { objectHref } from '../models/objects';

type ObjectRef = { object_type_id: string; object_id: string };

/**
 * What the server looked at for a node: a value, the person's devices with each one's result, or
 * for a related-object condition the objects that matched (linked) out of how many of that type.
 */
export function ExplainSeen({ seen }: { seen: unknown }) {
  if (seen === undefined) return null;
  const devices = (seen as { devices?: Array<{ id: string; platform: string; result: boolean }> } | null)
    ?.devices;
  if (Array.isArray(devices)) {
    return (
      <span class="muted small">
        {' '}
        — devices:{' '}
        {devices.map((d, i) => (
          <span key={d.id} title={d.id}>
            {i ? ', ' : ''}
            {platformName(d.platform)} …{d.id.slice(-6)} {d.result ? '✓' : '✗'}
          </span>
        ))}
      </span>
    );
  }
  const objects = seen as { matching?: ObjectRef[]; related?: number } | null;
  if (Array.isArray(objects?.matching)) {
    const related = objects.related ?? 0;
    return (
      <span class="muted small" data-testid="explain-objects">
        {' '}
        — related to {related} of this type
        {objects.matching.length === 0 ? (
          related ? (
            ', none matches'
          ) : null
        ) : (
          <>
            ; matching:{' '}
            {objects.matching.map((o, i) => (
              <span key={`${o.object_type_id}/${o.object_id}`}>
                {i ? ', ' : ''}
                <Link href={objectHref(o)}>{o.object_id}</Link>
              </span>
            ))}
          </>
        )}
      </span>
    );
  }
  return (
    <span class="muted small">
      {' '}
      — seen: {seen === null ? '(nothing)' : typeof seen === 'string' ? `“${seen}”` : JSON.stringify(seen)}
    </span>
  );
}
