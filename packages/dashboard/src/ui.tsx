import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from './api';
import { fullTime, navigation, parseNested, relative, type AsyncState, type PagedState } from './lib';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** An error from the API, or "not available on this server yet" when the route does not exist. */
export function ErrorBox({ error, retry, what }: { error: unknown; retry?: () => void; what?: string }) {
  if (error instanceof ApiError && error.missingRoute) {
    return (
      <div class="notice unavailable" role="status" data-testid="unavailable">
        <strong>{what ? `${what}: not` : 'Not'} available on this server yet.</strong>{' '}
        <span class="muted">
          This Roster server does not answer <code>{error.route}</code>. Upgrade the server to use it.
        </span>
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="notice error" role="alert">
      <strong>{what ? `${what}: ` : ''}</strong>
      {message}
      {error instanceof ApiError && error.reference ? (
        <span class="muted"> (reference {error.reference})</span>
      ) : null}
      {retry ? (
        <>
          {' '}
          <button type="button" class="link" onClick={retry}>
            Try again
          </button>
        </>
      ) : null}
    </div>
  );
}

/** Loading → error → content. Keeps showing the previous content while reloading. */
export function Async<T>({
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

export function Time({ unix }: { unix: number | undefined | null }) {
  if (!unix) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(unix * 1000).toISOString()} title={fullTime(unix)}>
      {relative(unix)}
    </time>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** An attribute value: text, or pretty JSON when it holds an object or array. */
export function AttrValue({ value }: { value: string }) {
  const nested = parseNested(value);
  if (nested !== undefined) return <Json value={nested} />;
  if (value === '') return <span class="muted">(empty)</span>;
  return <span class="value">{value}</span>;
}

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

/** The page heading; takes focus after navigation so keyboard and screen-reader users land on it. */
export function PageTitle({
  children,
  actions,
}: {
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (
      navigation.count > 0 &&
      (document.activeElement === document.body || document.activeElement?.closest('nav.main'))
    )
      ref.current?.focus();
  }, []);
  return (
    <div class="page-head">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {actions ? <div class="actions">{actions}</div> : null}
    </div>
  );
}

export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'neutral' | 'good' | 'bad' | 'warn' | 'info';
  children: ComponentChildren;
}) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function statusTone(status: string | undefined): 'neutral' | 'good' | 'bad' | 'warn' {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'opened':
    case 'true':
      return 'good';
    case 'bounced':
    case 'failed':
    case 'undeliverable':
    case 'false':
      return 'bad';
    case 'suppressed':
      return 'warn';
    default:
      return 'neutral';
  }
}

const METRIC_ORDER = [
  'opened',
  'delivered',
  'sent',
  'bounced',
  'failed',
  'undeliverable',
  'dropped',
  'drafted',
  'created',
];

export function MessageStatus({
  metrics,
  failure,
}: {
  metrics: Record<string, number>;
  failure?: string | null;
}) {
  const latest = METRIC_ORDER.filter((m) => metrics?.[m]).sort(
    (a, b) => (metrics[b] ?? 0) - (metrics[a] ?? 0),
  )[0];
  return (
    <span
      title={
        failure ??
        Object.entries(metrics ?? {})
          .map(([k, v]) => `${k}: ${new Date(v * 1000).toLocaleString()}`)
          .join('\n')
      }
    >
      <Badge tone={failure ? 'bad' : statusTone(latest)}>{latest ?? 'queued'}</Badge>
    </span>
  );
}

/** A list that grows with "Show more": loading, empty and error states included. */
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
