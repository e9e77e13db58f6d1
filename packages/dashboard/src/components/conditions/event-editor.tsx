import type { CountOperator } from '@roster/protocol';
import { COUNT_OPERATORS, isGroup, toModel, type EventCondition } from '../../models/conditions';
import type { BuilderContext } from './builder-context';
import { GroupEditor } from './group-editor';

const UNITS: Array<{ value: string; label: string }> = [
  { value: 'd', label: 'days' },
  { value: 'h', label: 'hours' },
  { value: 'm', label: 'minutes' },
  { value: 'w', label: 'weeks' },
  { value: 's', label: 'seconds' },
];

/** An event: its name and kind, how many times, in what window, and a filter on its data. */
export function EventEditor({
  value,
  onChange,
  ctx,
  pointer,
}: {
  value: EventCondition;
  onChange: (e: EventCondition) => void;
  ctx: BuilderContext;
  pointer: string;
}) {
  const m = /^(\d+)([smhdw])$/.exec(value.within ?? '');
  const withinN = m?.[1] ?? '';
  const withinU = m?.[2] ?? 'd';
  const setWithin = (n: string, u: string) => {
    const next = { ...value };
    if (n && Number(n) > 0) next.within = `${Math.floor(Number(n))}${u}`;
    else delete next.within;
    onChange(next);
  };
  const count = value.count;
  return (
    <div class="cond-event">
      <div class="cond-row">
        <select
          aria-label="Kind of event"
          class="narrow"
          value={value.type ?? 'event'}
          onChange={(e) => {
            const next = { ...value };
            const t = e.currentTarget.value as 'event' | 'page' | 'screen';
            if (t === 'event') delete next.type;
            else next.type = t;
            onChange(next);
          }}
        >
          <option value="event">event</option>
          <option value="page">page view</option>
          <option value="screen">screen view</option>
        </select>
        <input
          aria-label="Event name"
          placeholder={value.type === 'page' ? 'page URL' : 'event name, e.g. purchase'}
          value={value.name}
          onInput={(e) => onChange({ ...value, name: e.currentTarget.value })}
        />
        <select
          aria-label="How many times"
          value={count ? count.operator : ''}
          onChange={(e) => {
            const op = e.currentTarget.value as CountOperator | '';
            const next = { ...value };
            if (!op) delete next.count;
            else next.count = { operator: op, value: count?.value ?? 1 };
            onChange(next);
          }}
        >
          <option value="">at least once</option>
          {COUNT_OPERATORS.map((o) => (
            <option key={o.op} value={o.op}>
              {o.label}…
            </option>
          ))}
        </select>
        {count ? (
          <>
            <input
              type="number"
              min={0}
              step={1}
              aria-label="Number of times"
              class="narrow"
              value={String(count.value)}
              onInput={(e) =>
                onChange({
                  ...value,
                  count: { operator: count.operator, value: Number(e.currentTarget.value) },
                })
              }
            />
            <span class="muted">times</span>
          </>
        ) : null}
      </div>
      <div class="cond-row">
        <span class="muted">in the last</span>
        <input
          type="number"
          min={1}
          step={1}
          class="narrow"
          aria-label="Time window (leave empty for any time)"
          placeholder="any"
          value={withinN}
          onInput={(e) => setWithin(e.currentTarget.value, withinU)}
        />
        <select
          aria-label="Time window unit"
          value={withinU}
          onChange={(e) => setWithin(withinN, e.currentTarget.value)}
        >
          {UNITS.map((u) => (
            <option key={u.value} value={u.value}>
              {u.label}
            </option>
          ))}
        </select>
      </div>
      <div class="cond-sub">
        <span class="muted small">where its data</span>
        <GroupEditor
          value={value.where && isGroup(value.where) ? value.where : toModel(value.where)}
          onChange={(w) => onChange({ ...value, where: w })}
          ctx={{ ...ctx, scope: 'event', listId: '', subject: 'Event data' }}
          pointer={`${pointer}/event/where`}
          emptyText="any data"
        />
      </div>
    </div>
  );
}
