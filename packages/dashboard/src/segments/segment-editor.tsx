import type { AppSegment, SegmentConditions } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { ConditionBuilder } from '../components/conditions/condition-builder';
import { ErrorBox } from '../components/error-box';
import { useObjectTypes } from '../data/use-object-types';
import { navigate } from '../lib/router';
import { plainWords, problems, rowOf, toModel, toWire, type GroupCondition } from '../models/conditions';
import { errorMessage } from '../models/format';
import { LiveCount } from './live-count';

const BASE = '/segment/conditions';

/**
 * A segment's definition. New segments choose manual or dynamic; an existing segment keeps its
 * type (docs/segments.md) and a dynamic one opens with its saved conditions in the builder.
 * Problems show on the row that has them, from the builder's own checks or the server's answer.
 */
export function SegmentEditor({
  segment,
  prefill,
  segments,
  saved,
  onSaved,
}: {
  segment: AppSegment | null;
  prefill: { name: string; conditions: SegmentConditions | null } | null;
  segments: AppSegment[];
  saved?: string | null;
  onSaved: (text: string) => void;
}) {
  const creating = segment === null;
  const objectTypes = useObjectTypes();
  const [name, setName] = useState(segment?.name ?? prefill?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [dynamic, setDynamic] = useState(creating || segment.type === 'dynamic');
  const [model, setModel] = useState<GroupCondition>(() =>
    toModel(segment?.conditions ?? prefill?.conditions),
  );
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // "Saved." stands until the next edit.
  const [dirty, setDirty] = useState(false);

  const found = dynamic ? problems(model) : [];
  const errors: Record<string, string> = {
    ...(tried ? Object.fromEntries(found.map((p) => [p.pointer, p.message])) : {}),
    ...serverErrors,
  };
  const edit = (m: GroupCondition) => {
    setModel(m);
    setServerErrors({});
    setDirty(true);
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setFailure(null);
    setServerErrors({});
    if (!name.trim() || found.length) return;
    const body: { name: string; description: string; conditions?: SegmentConditions } = {
      name: name.trim(),
      description: description.trim(),
    };
    const wire = dynamic ? toWire(model) : null;
    // Unchanged conditions are not sent: saving them would re-evaluate everyone for nothing.
    const before = segment?.conditions ? JSON.stringify(toWire(toModel(segment.conditions))) : null;
    if (wire && JSON.stringify(wire) !== before) body.conditions = wire;
    setBusy(true);
    try {
      if (segment) {
        await App.updateSegment(segment.id, body);
        setDirty(false);
        onSaved(body.conditions ? 'Saved. Membership was recomputed with the new conditions.' : 'Saved.');
      } else {
        const created = await App.createSegment(body);
        navigate(`/segments/${created.id}`, true);
      }
    } catch (err) {
      const row = err instanceof ApiError ? rowOf(err.pointer, BASE) : null;
      if (row !== null) setServerErrors({ [row]: plainWords(errorMessage(err)) });
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (
      !segment ||
      !confirm(`Delete the segment “${segment.name}”? Its members leave it. This cannot be undone.`)
    )
      return;
    try {
      await App.deleteSegment(segment.id, segment.type === 'dynamic');
      navigate('/segments');
    } catch (err) {
      setFailure(err);
    }
  };

  const rowCount = Object.keys(errors).length;
  return (
    <form class="card" onSubmit={save} aria-label="Segment definition" noValidate>
      <div class="two">
        <div class="stack">
          <label for="seg-name">Name</label>
          <input
            id="seg-name"
            value={name}
            onInput={(e) => {
              setName(e.currentTarget.value);
              setDirty(true);
            }}
            aria-invalid={tried && !name.trim() ? 'true' : undefined}
            aria-describedby={tried && !name.trim() ? 'seg-name-error' : undefined}
          />
          {tried && !name.trim() ? (
            <p class="field-error" id="seg-name-error">
              Give the segment a name.
            </p>
          ) : null}
        </div>
        <div class="stack">
          <label for="seg-desc">Description (optional)</label>
          <input
            id="seg-desc"
            value={description}
            onInput={(e) => {
              setDescription(e.currentTarget.value);
              setDirty(true);
            }}
          />
        </div>
      </div>
      {creating ? (
        <fieldset class="radios">
          <legend>Who is in it</legend>
          <label class="check">
            <input type="radio" name="seg-kind" checked={dynamic} onChange={() => setDynamic(true)} /> People
            who match conditions (dynamic: Roster keeps it current)
          </label>
          <label class="check">
            <input type="radio" name="seg-kind" checked={!dynamic} onChange={() => setDynamic(false)} />{' '}
            People added by hand (manual: through the Track API’s <code>add_customers</code>)
          </label>
          <p class="hint">The type cannot be changed later.</p>
        </fieldset>
      ) : (
        <p class="segment-type" data-testid="segment-type">
          {dynamic ? (
            <>
              <strong>Dynamic:</strong> everyone who matches these conditions, kept current as people change.
            </>
          ) : (
            <>
              <strong>Manual:</strong> people are added and removed through the Track API (
              <code>add_customers</code> / <code>remove_customers</code>). A segment’s type is fixed when it
              is created; to use conditions, create a dynamic segment.
            </>
          )}
        </p>
      )}
      {dynamic ? (
        <>
          <ConditionBuilder
            value={model}
            onChange={edit}
            segments={segments}
            excludeSegment={segment?.id}
            objectTypes={objectTypes.data ?? []}
            errors={errors}
            idPrefix="seg-cond"
          />
          <LiveCount model={model} ready={found.length === 0} />
        </>
      ) : null}
      <div class="inline form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : creating ? 'Create segment' : 'Save segment'}
        </button>
        {segment ? (
          <button type="button" class="danger subtle" onClick={() => void remove()}>
            Delete segment
          </button>
        ) : null}
      </div>
      {tried && rowCount > 0 ? (
        <p class="notice error" role="alert">
          {rowCount === 1 ? 'One condition needs' : `${rowCount} conditions need`} attention: see the marked{' '}
          {rowCount === 1 ? 'row' : 'rows'} above.
        </p>
      ) : null}
      {failure ? <ErrorBox error={failure} what="Not saved" /> : null}
      {saved && !dirty && !failure && rowCount === 0 ? (
        <p class="notice ok" role="status">
          {saved}
        </p>
      ) : null}
    </form>
  );
}
