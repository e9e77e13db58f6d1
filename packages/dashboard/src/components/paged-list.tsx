import type { ComponentChildren } from 'preact';
import type { PagedState } from '../lib/use-paged';
import { Empty } from './empty';
import { ErrorBox } from './error-box';
import { Loading } from './loading';

/** A list that grows with "Show older": loading, empty and error states included. */
export function PagedList<T>({
  state,
  what,
  empty,
  children,
}: {
  state: PagedState<T>;
  what: string;
  empty: ComponentChildren;
  children: (items: T[]) => ComponentChildren;
}) {
  if (!state.loaded) return <Loading label={`Loading ${what.toLowerCase()}…`} />;
  if (state.error && state.items.length === 0)
    return <ErrorBox error={state.error} retry={state.reload} what={what} />;
  if (state.items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      {children(state.items)}
      {state.error ? <ErrorBox error={state.error} retry={state.more} what={what} /> : null}
      {state.next ? (
        <button type="button" class="more" onClick={state.more} disabled={state.loading}>
          {state.loading ? 'Loading…' : 'Show older'}
        </button>
      ) : null}
    </>
  );
}
