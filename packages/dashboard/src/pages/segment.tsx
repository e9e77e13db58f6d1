import { useState } from 'preact/hooks';
import { App, ApiError, type Condition, type Segment } from '../api';
import { LineChart } from '../charts';
import { asGroup, clean, ConditionBuilder, incomplete, isEmptyGroup } from '../conditions';
import { Link, navigate, num, useAsync, useCursor, useDebounced } from '../lib';
import { Async, Badge, Empty, ErrorBox, Loading, PageTitle, Pager } from '../ui';
import { personLabel } from './people';

/** `/segments/new` (id null) and `/segments/:id`: the builder with a live count, members and history. */
export function SegmentPage({ id }: { id: number | null }) {
  const segment = useAsync(
    (s) => (id === null ? Promise.resolve(null) : App.segment(id, s).then((r) => r.segment)),
    [id],
  );
  const all = useAsync((s) => App.segments(s).then((r) => r.segments), []);

  if (segment.error instanceof ApiError && segment.error.status === 404 && !segment.error.missingRoute) {
    return (
      <section>
        <PageTitle>Segment not found</PageTitle>
        <Empty>
          There is no segment #{id}. <Link href="/segments">All segments</Link>
        </Empty>
      </section>
    );
  }
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/segments">Segments</Link> <span aria-hidden="true">/</span>
      </nav>
      <Async state={segment} what="Segment" label="Loading segment…">
        {(s) => (
          <>
            <PageTitle
              actions={
                s ? (
                  <Badge tone={s.type === 'dynamic' ? 'info' : 'neutral'}>{s.type ?? 'manual'}</Badge>
                ) : null
              }
            >
              {s ? s.name : 'New segment'}
            </PageTitle>
            <Editor
              key={s?.id ?? 'new'}
              segment={s}
              segments={all.data ?? []}
              onSaved={() => segment.reload()}
            />
            {s ? (
              <div class="grid">
                <div class="col">
                  <Members segment={s} />
                </div>
                <div class="col">
                  <History segment={s} />
                </div>
              </div>
            ) : null}
          </>
        )}
      </Async>
    </section>
  );
}

function Editor({
  segment,
  segments,
  onSaved,
}: {
  segment: Segment | null;
  segments: Segment[];
  onSaved: () => void;
}) {
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [conditions, setConditions] = useState<Condition>(asGroup(segment?.conditions));
  const [status, setStatus] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const manual = segment !== null && !segment.conditions && segment.type === 'manual';
  const [useConditions, setUseConditions] = useState(!manual);

  const problem = isEmptyGroup(conditions) ? 'add at least one condition' : incomplete(conditions);
  const debounced = useDebounced(JSON.stringify(useConditions && !problem ? clean(conditions) : null), 400);
  const count = useAsync(
    (signal) =>
      debounced === 'null'
        ? Promise.resolve(null)
        : App.countConditions(JSON.parse(debounced) as Condition, signal),
    [debounced],
  );

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const body: { name: string; description?: string; conditions?: Condition } = { name: name.trim() };
      if (description.trim()) body.description = description.trim();
      if (useConditions) {
        if (problem) throw new Error(`The conditions are not complete: ${problem}.`);
        body.conditions = clean(conditions);
      }
      if (segment) {
        await App.updateSegment(segment.id, body);
        setStatus({ ok: true, text: 'Saved.' });
        onSaved();
      } else {
        const r = await App.createSegment(body);
        navigate(`/segments/${r.segment.id}`, true);
      }
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err), error: err });
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!segment || !confirm(`Delete the segment “${segment.name}”? This cannot be undone.`)) return;
    try {
      await App.deleteSegment(segment.id);
      navigate('/segments');
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err), error: err });
    }
  };

  return (
    <form class="card" onSubmit={save} aria-label="Segment definition">
      <div class="two">
        <div class="stack">
          <label for="seg-name">Name</label>
          <input id="seg-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="stack">
          <label for="seg-desc">Description (optional)</label>
          <input id="seg-desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
      </div>
      <fieldset class="radios">
        <legend>Membership</legend>
        <label class="check">
          <input
            type="radio"
            name="seg-kind"
            checked={useConditions}
            onChange={() => setUseConditions(true)}
          />{' '}
          People who match conditions
        </label>
        <label class="check">
          <input
            type="radio"
            name="seg-kind"
            checked={!useConditions}
            onChange={() => setUseConditions(false)}
          />{' '}
          Manual: added through the Track API
        </label>
      </fieldset>
      {useConditions && segment?.type === 'dynamic' && segment.conditions === undefined ? (
        <p class="notice unavailable" role="status">
          This server does not return a segment’s conditions, so they cannot be shown here. Saving replaces
          them with what you build below.
        </p>
      ) : null}
      {useConditions ? (
        <>
          <ConditionBuilder
            value={conditions}
            onChange={setConditions}
            segments={segments}
            excludeSegment={segment?.id}
          />
          <p class="count" aria-live="polite" data-testid="live-count">
            {problem ? (
              <span class="muted">To count: {problem}.</span>
            ) : count.error ? (
              <ErrorBox error={count.error} what="Live count" />
            ) : count.data && !count.loading ? (
              <>
                <strong data-testid="live-count-value">{num(count.data.count)}</strong>{' '}
                {count.data.count === 1 ? 'person matches' : 'people match'}
              </>
            ) : (
              <span class="muted">Counting…</span>
            )}
          </p>
        </>
      ) : null}
      <div class="inline">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : segment ? 'Save segment' : 'Create segment'}
        </button>
        {segment ? (
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete
          </button>
        ) : null}
      </div>
      {status ? (
        status.error instanceof ApiError && status.error.missingRoute ? (
          <ErrorBox error={status.error} what="Saving conditions" />
        ) : (
          <p class={`notice ${status.ok ? 'ok' : 'error'}`} role={status.ok ? 'status' : 'alert'}>
            {status.text}
          </p>
        )
      ) : null}
    </form>
  );
}

function Members({ segment }: { segment: Segment }) {
  const cursor = useCursor(String(segment.id));
  const state = useAsync((s) => App.membership(segment.id, cursor.start, 25, s), [segment.id, cursor.start]);
  const count = useAsync((s) => App.segmentCount(segment.id, s), [segment.id]);
  return (
    <section class="card" aria-labelledby="h-members">
      <h2 id="h-members">Members{count.data ? ` (${num(count.data.count)})` : ''}</h2>
      <Async state={state} what="Members" label="Loading members…">
        {(r) =>
          r.identifiers.length === 0 ? (
            <Empty>Nobody is in this segment yet.</Empty>
          ) : (
            <>
              <ul class="plain members" data-testid="members">
                {r.identifiers.map((ids) => (
                  <li key={ids.cio_id}>
                    <Link href={`/people/${encodeURIComponent(ids.cio_id)}`}>{personLabel(ids)}</Link>
                    {ids.email && ids.id ? <span class="muted small"> · {ids.id}</span> : null}
                  </li>
                ))}
              </ul>
              <Pager
                label="Members"
                page={cursor.page}
                hasPrev={cursor.hasPrev}
                hasNext={!!r.next}
                onPrev={cursor.prev}
                onNext={() => cursor.next(r.next)}
              />
            </>
          )
        }
      </Async>
    </section>
  );
}

function History({ segment }: { segment: Segment }) {
  const state = useAsync((s) => App.history(segment.id, s), [segment.id]);
  return (
    <section class="card" aria-labelledby="h-history">
      <h2 id="h-history">Size over time</h2>
      {state.error ? (
        <ErrorBox error={state.error} retry={state.reload} what="Size history" />
      ) : !state.data ? (
        <Loading label="Loading history…" />
      ) : state.data.points.length === 0 ? (
        <Empty>No history yet: sizes are recorded as people enter and leave.</Empty>
      ) : (
        <LineChart points={state.data.points} noun="people" />
      )}
    </section>
  );
}
