import { platformName } from '../models/format';

/** What the server looked at for a node: a value, or the person's devices with each one's result. */
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
  return (
    <span class="muted small">
      {' '}
      — seen: {seen === null ? '(nothing)' : typeof seen === 'string' ? `“${seen}”` : JSON.stringify(seen)}
    </span>
  );
}
