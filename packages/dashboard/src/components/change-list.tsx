import { show } from './activity-data';

/** What changed in an activity: each name with its old and new value. */
export function ChangeList({ changes }: { changes: Record<string, unknown> }) {
  return (
    <ul class="changes">
      {Object.entries(changes).map(([k, v]) => {
        const ch = (v ?? {}) as { from?: unknown; to?: unknown };
        return (
          <li key={k}>
            <code>{k}</code>: {show(ch.from)} <span aria-label="changed to">→</span> {show(ch.to)}
          </li>
        );
      })}
    </ul>
  );
}
