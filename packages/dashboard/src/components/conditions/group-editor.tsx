import {
  blank,
  childrenOf,
  INNER_KINDS,
  KIND_LABELS,
  PERSON_KINDS,
  type Condition,
  type GroupCondition,
  type Kind,
} from '../../models/conditions';
import type { BuilderContext } from './builder-context';
import { ConditionRow } from './condition-row';

/** An all-of / any-of group: its rows, and a way to add one. */
export function GroupEditor({
  value,
  onChange,
  ctx,
  pointer,
  emptyText,
}: {
  value: GroupCondition;
  onChange: (c: Condition) => void;
  ctx: BuilderContext;
  /** The group's JSON pointer; its rows are `${pointer}/and/${i}`. */
  pointer: string;
  emptyText: string;
}) {
  const mode: 'and' | 'or' = 'or' in value ? 'or' : 'and';
  const children = childrenOf(value);
  const set = (kids: Condition[]) => onChange(mode === 'and' ? { and: kids } : { or: kids });
  const kinds: readonly Kind[] = ctx.scope === 'person' ? PERSON_KINDS : INNER_KINDS;
  const fieldsOnly = ctx.scope !== 'person';
  const matchLabel = ctx.scope === 'person' ? 'Conditions: match' : `${ctx.subject}: match`;
  return (
    <fieldset class="cond-group">
      <legend>
        <select
          aria-label={matchLabel}
          value={mode}
          onChange={(e) => onChange(e.currentTarget.value === 'or' ? { or: children } : { and: children })}
        >
          <option value="and">all of</option>
          <option value="or">any of</option>
        </select>
      </legend>
      {children.length === 0 ? <p class="muted small">No conditions yet: matches {emptyText}.</p> : null}
      <ol class="cond-list">
        {children.map((child, i) => (
          <ConditionRow
            key={i}
            value={child}
            index={i}
            count={children.length}
            pointer={`${pointer}/${mode}/${i}`}
            ctx={ctx}
            bare={fieldsOnly}
            onChange={(c) => set(children.map((k, j) => (j === i ? c : k)))}
            onRemove={() => set(children.filter((_, j) => j !== i))}
          />
        ))}
      </ol>
      {fieldsOnly ? (
        <button type="button" class="small" onClick={() => set([...children, blank('attribute')])}>
          + {ctx.subject} field
        </button>
      ) : (
        <select
          class="add"
          aria-label="Add a condition to this group"
          value=""
          onChange={(e) => {
            const k = e.currentTarget.value as Kind | '';
            e.currentTarget.value = '';
            if (k) set([...children, blank(k)]);
          }}
        >
          <option value="">+ Add condition…</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      )}
    </fieldset>
  );
}
