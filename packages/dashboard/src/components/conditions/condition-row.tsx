import { KIND_LABELS, kindOf, type Condition } from '../../models/conditions';
import { errorId, type BuilderContext } from './builder-context';
import { NodeEditor } from './node-editor';

/**
 * One row of a group: what kind of condition it is, its editor, a remove button, and the problem
 * with it (in plain words) when there is one.
 */
export function ConditionRow({
  value,
  index,
  count,
  pointer,
  ctx,
  bare,
  onChange,
  onRemove,
}: {
  value: Condition;
  index: number;
  count: number;
  pointer: string;
  ctx: BuilderContext;
  /** Rows of plain fields (inside a device block or event data) show no kind label. */
  bare: boolean;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const kind = kindOf(value);
  const label = KIND_LABELS[kind] ?? kind;
  const error = ctx.errors[pointer];
  return (
    <li
      class={`cond-item kind-${kind}${bare ? ' bare' : ''}${error ? ' invalid' : ''}`}
      role="group"
      aria-label={`${bare ? ctx.subject : label} condition ${index + 1} of ${count}`}
      aria-describedby={error ? errorId(ctx, pointer) : undefined}
      data-pointer={pointer}
    >
      {bare ? null : <span class="cond-kind">{label}</span>}
      <div class="cond-body">
        <NodeEditor value={value} onChange={onChange} ctx={ctx} pointer={pointer} />
        {error ? (
          <p class="row-error" id={errorId(ctx, pointer)} data-testid="row-error">
            {error}
          </p>
        ) : null}
      </div>
      <button
        type="button"
        class="icon"
        aria-label={`Remove ${(bare ? ctx.subject : label).toLowerCase()} condition ${index + 1}`}
        title="Remove"
        onClick={onRemove}
      >
        ×
      </button>
    </li>
  );
}
