import type { ComponentChildren } from 'preact';
import type { AsyncState } from '../lib/use-async';
import { ErrorBox } from './error-box';
import { Loading } from './loading';

/** Loading → error → content. Keeps showing the previous content while reloading. */
export function AsyncView<T>({
  state,
  children,
  what,
  label,
}: {
  state: AsyncState<T>;
  children: (data: T) => ComponentChildren;
  what?: string;
  label?: string;
}) {
  if (state.error) return <ErrorBox error={state.error} retry={state.reload} what={what} />;
  if (state.data === undefined) return <Loading label={label} />;
  return <div aria-busy={state.loading ? 'true' : 'false'}>{children(state.data)}</div>;
}
