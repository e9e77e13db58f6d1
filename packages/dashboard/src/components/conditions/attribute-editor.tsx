import type { AttributeCondition, ConditionOperator } from '@roster/protocol';
import { NUMERIC_OPERATORS, OPERATORS } from '../../models/conditions';
import type { BuilderContext } from './builder-context';

function listText(v: AttributeCondition['value']): string {
  if (Array.isArray(v)) return v.join(', ');
  return v === undefined ? '' : String(v);
}

/** field · not · operator · value. A list for "is one of" is typed comma-separated. */
export function AttributeEditor({
  value,
  onChange,
  ctx,
}: {
  value: AttributeCondition;
  onChange: (a: AttributeCondition) => void;
  ctx: BuilderContext;
}) {
  const isIn = value.operator === 'in';
  const text = listText(value.value);
  const numeric = NUMERIC_OPERATORS.includes(value.operator);
  return (
    <div class="cond-row">
      <input
        aria-label={`${ctx.subject} field`}
        placeholder={
          ctx.scope === 'device'
            ? 'field, e.g. app_version'
            : ctx.scope === 'relationship'
              ? 'field, e.g. role'
              : 'field, e.g. plan or address.city'
        }
        list={ctx.listId}
        value={value.field}
        onInput={(e) => onChange({ ...value, field: e.currentTarget.value })}
        autocomplete="off"
      />
      <label class="check">
        <input
          type="checkbox"
          checked={!!value.inverse}
          onChange={(e) => {
            const next = { ...value };
            if (e.currentTarget.checked) next.inverse = true;
            else delete next.inverse;
            onChange(next);
          }}
        />
        not
      </label>
      <select
        aria-label={`${ctx.subject} operator`}
        value={value.operator}
        onChange={(e) => {
          const operator = e.currentTarget.value as ConditionOperator;
          const next: AttributeCondition = { ...value, operator };
          if (operator === 'exists') delete next.value;
          else if (operator === 'in')
            next.value = text
              ? text
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean)
              : [];
          else next.value = text;
          onChange(next);
        }}
      >
        {OPERATORS.map((o) => (
          <option key={o.op} value={o.op}>
            {o.label}
          </option>
        ))}
      </select>
      {value.operator === 'exists' ? null : (
        <input
          aria-label={`${ctx.subject} value`}
          placeholder={isIn ? 'a, b, c' : numeric ? 'a number' : 'value'}
          inputMode={numeric ? 'decimal' : undefined}
          value={text}
          onInput={(e) => {
            const t = e.currentTarget.value;
            onChange({
              ...value,
              value: isIn
                ? t
                    .split(',')
                    .map((s) => s.trim())
                    .filter(Boolean)
                : t,
            });
          }}
        />
      )}
    </div>
  );
}
