import { App } from '../api/endpoints';
import { ErrorBox } from '../components/error-box';
import { useAsync } from '../lib/use-async';
import { useDebounced } from '../lib/use-debounced';
import { toWire, type GroupCondition } from '../models/conditions';
import { num } from '../models/format';

/** How many people the conditions match right now, recounted a moment after each edit. */
export function LiveCount({ model, ready }: { model: GroupCondition; ready: boolean }) {
  const wire = ready ? toWire(model) : null;
  const key = useDebounced(JSON.stringify(wire), 400);
  const count = useAsync(
    (signal) => (key === 'null' ? Promise.resolve(null) : App.countConditions(JSON.parse(key), signal)),
    [key],
  );
  return (
    <p class="count" aria-live="polite" data-testid="live-count">
      {!wire ? (
        <span class="muted">The count appears once the conditions are complete.</span>
      ) : count.error ? (
        <ErrorBox error={count.error} what="Live count" />
      ) : count.data !== undefined &&
        count.data !== null &&
        !count.loading &&
        key === JSON.stringify(wire) ? (
        <>
          <strong data-testid="live-count-value">{num(count.data)}</strong>{' '}
          {count.data === 1 ? 'person matches' : 'people match'} now
        </>
      ) : (
        <span class="muted">Counting…</span>
      )}
    </p>
  );
}
