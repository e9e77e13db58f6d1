import type { AttributeCondition, AttributeOperator, Condition, Segment } from './api';

/**
 * A visual editor for the segments' conditions language: and / or / not groups, attribute tests,
 * a device block, events (count, time window, data filter) and references to other segments.
 * The value is always the wire JSON, so what you see is what the server gets.
 */

export const OPERATORS: Array<{ op: AttributeOperator; label: string }> = [
  { op: 'eq', label: 'equals' },
  { op: 'ne', label: 'does not equal' },
  { op: 'exists', label: 'exists' },
  { op: 'contains', label: 'contains' },
  { op: 'starts_with', label: 'starts with' },
  { op: 'gt', label: '>' },
  { op: 'gte', label: '≥' },
  { op: 'lt', label: '<' },
  { op: 'lte', label: '≤' },
  { op: 'in', label: 'is one of' },
];

const opLabel = (op: string) => OPERATORS.find((o) => o.op === op)?.label ?? op;

export const DEVICE_FIELDS = [
  'platform',
  'push_enabled',
  '_last_status',
  'last_used',
  'app_version',
  'device_os',
  'device_model',
  'app_identifier',
  'device_locale',
  'cio_sdk_version',
];

type Kind = 'attribute' | 'device' | 'event' | 'segment' | 'and' | 'or' | 'not';

const KIND_LABELS: Record<Kind, string> = {
  attribute: 'Attribute',
  device: 'Device',
  event: 'Event',
  segment: 'In segment',
  and: 'Group (all of)',
  or: 'Group (any of)',
  not: 'Not',
};

export function kindOf(c: Condition): Kind {
  return Object.keys(c)[0] as Kind;
}

function blank(kind: Kind): Condition {
  switch (kind) {
    case 'attribute':
      return { attribute: { field: '', operator: 'eq', value: '' } };
    case 'device':
      return { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'ios' } }] } };
    case 'event':
      return { event: { name: '' } };
    case 'segment':
      return { segment: { id: 0 } };
    case 'and':
      return { and: [] };
    case 'or':
      return { or: [] };
    case 'not':
      return { not: { attribute: { field: '', operator: 'eq', value: '' } } };
  }
}

/** The root is always edited as a group. */
export function asGroup(c: Condition | null | undefined): Condition {
  if (!c) return { and: [] };
  if ('and' in c || 'or' in c) return c;
  return { and: [c] };
}

export function isEmptyGroup(c: Condition): boolean {
  return ('and' in c && c.and.length === 0) || ('or' in c && c.or.length === 0);
}

/** The first thing that keeps a condition from being sent, or null when it is complete. */
export function incomplete(c: Condition): string | null {
  if ('and' in c || 'or' in c) {
    const kids = 'and' in c ? c.and : c.or;
    for (const k of kids) {
      const p = incomplete(k);
      if (p) return p;
    }
    return null;
  }
  if ('not' in c) return incomplete(c.not);
  if ('segment' in c) return c.segment.id > 0 ? null : 'choose a segment';
  if ('attribute' in c) {
    const a = c.attribute;
    if (!a.field.trim()) return 'an attribute needs a field name';
    if (
      a.operator !== 'exists' &&
      (a.value === undefined || a.value === '' || (Array.isArray(a.value) && a.value.length === 0))
    )
      return `“${a.field}” needs a value`;
    return null;
  }
  if ('device' in c) return isEmptyGroup(c.device) ? null : incomplete(c.device);
  if ('event' in c) {
    if (!c.event.name.trim()) return 'an event needs a name';
    return c.event.where && !isEmptyGroup(c.event.where) ? incomplete(c.event.where) : null;
  }
  return null;
}

/** Drops empty sub-groups (an empty device or event data filter means "any"). */
export function clean(c: Condition): Condition {
  if ('and' in c) return { and: c.and.map(clean) };
  if ('or' in c) return { or: c.or.map(clean) };
  if ('not' in c) return { not: clean(c.not) };
  if ('device' in c) return { device: isEmptyGroup(c.device) ? { and: [] } : clean(c.device) };
  if ('event' in c) {
    const { where, ...rest } = c.event;
    return { event: where && !isEmptyGroup(where) ? { ...rest, where: clean(where) } : rest };
  }
  return c;
}

/** A one-line reading of a condition, e.g. `plan equals "pro"`. */
export function describe(c: unknown, segments: Segment[] = []): string {
  if (!c || typeof c !== 'object') return String(c);
  const cond = c as Condition;
  if ('and' in cond)
    return cond.and.length ? `all of (${cond.and.map((k) => describe(k, segments)).join('; ')})` : 'everyone';
  if ('or' in cond) return `any of (${cond.or.map((k) => describe(k, segments)).join('; ')})`;
  if ('not' in cond) return `not ${describe(cond.not, segments)}`;
  if ('segment' in cond) {
    const s = segments.find((x) => x.id === cond.segment.id);
    return `in segment ${s ? `“${s.name}”` : `#${cond.segment.id}`}`;
  }
  if ('attribute' in cond) {
    const a = cond.attribute;
    const v = Array.isArray(a.value)
      ? `[${a.value.join(', ')}]`
      : a.value === undefined
        ? ''
        : ` “${a.value}”`;
    return `${a.inverse ? 'not ' : ''}${a.field} ${opLabel(a.operator)}${a.operator === 'exists' ? '' : Array.isArray(a.value) ? ` ${v}` : v}`;
  }
  if ('device' in cond)
    return isEmptyGroup(cond.device)
      ? 'has a device'
      : `has a device where ${describe(cond.device, segments)}`;
  if ('event' in cond) {
    const e = cond.event;
    const count = e.count ? ` ${opLabel(e.count.operator)} ${e.count.value} times` : '';
    const within = e.within ? ` within ${e.within}` : '';
    const where = e.where && !isEmptyGroup(e.where) ? ` where ${describe(e.where, segments)}` : '';
    return `did “${e.name}”${count}${within}${where}`;
  }
  return JSON.stringify(c);
}

// ---- Editors ---------------------------------------------------------------------------------

interface Ctx {
  segments: Segment[];
  excludeSegment?: number;
  attributeListId: string;
  /** How attribute rows name their controls: "Attribute field", "Device field", "Event data field". */
  rowSubject: string;
}

function AttributeRow({
  value,
  onChange,
  listId,
  subject,
}: {
  value: AttributeCondition;
  onChange: (a: AttributeCondition) => void;
  listId: string;
  subject: string;
}) {
  const isIn = value.operator === 'in';
  const text = Array.isArray(value.value) ? value.value.join(', ') : (value.value ?? '');
  return (
    <div class="cond-row">
      <input
        aria-label={`${subject} field`}
        placeholder="field, e.g. plan or address.city"
        list={listId}
        value={value.field}
        onInput={(e) => onChange({ ...value, field: e.currentTarget.value })}
      />
      <label class="check">
        <input
          type="checkbox"
          checked={!!value.inverse}
          onChange={(e) => onChange({ ...value, inverse: e.currentTarget.checked || undefined })}
        />
        not
      </label>
      <select
        aria-label={`${subject} operator`}
        value={value.operator}
        onChange={(e) => {
          const operator = e.currentTarget.value as AttributeOperator;
          const next: AttributeCondition = { ...value, operator };
          if (operator === 'exists') delete next.value;
          else if (operator === 'in') next.value = text ? text.split(',').map((s) => s.trim()) : [];
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
          aria-label={`${subject} value`}
          placeholder={isIn ? 'a, b, c' : 'value'}
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

function SegmentPicker({
  value,
  onChange,
  ctx,
}: {
  value: number;
  onChange: (id: number) => void;
  ctx: Ctx;
}) {
  const options = ctx.segments.filter((s) => s.id !== ctx.excludeSegment);
  return (
    <div class="cond-row">
      <select
        aria-label="Segment"
        value={String(value)}
        onChange={(e) => onChange(Number(e.currentTarget.value))}
      >
        <option value="0">Choose a segment…</option>
        {options.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name} (#{s.id})
          </option>
        ))}
      </select>
    </div>
  );
}

function EventEditor({
  value,
  onChange,
  ctx,
}: {
  value: Extract<Condition, { event: unknown }>['event'];
  onChange: (e: Extract<Condition, { event: unknown }>['event']) => void;
  ctx: Ctx;
}) {
  const m = /^(\d+)([dhm])$/.exec(value.within ?? '');
  const withinN = m?.[1] ?? '';
  const withinU = m?.[2] ?? 'd';
  const setWithin = (n: string, u: string) => {
    const next = { ...value };
    if (n && Number(n) > 0) next.within = `${Number(n)}${u}`;
    else delete next.within;
    onChange(next);
  };
  return (
    <div class="cond-event">
      <div class="cond-row">
        <input
          aria-label="Event name"
          placeholder="event name, e.g. purchase"
          value={value.name}
          onInput={(e) => onChange({ ...value, name: e.currentTarget.value })}
        />
        <select
          aria-label="How many times"
          value={value.count ? value.count.operator : ''}
          onChange={(e) => {
            const op = e.currentTarget.value as AttributeOperator | '';
            const next = { ...value };
            if (!op) delete next.count;
            else next.count = { operator: op, value: value.count?.value ?? 1 };
            onChange(next);
          }}
        >
          <option value="">at least once</option>
          {(['gte', 'gt', 'eq', 'lt', 'lte'] as const).map((op) => (
            <option key={op} value={op}>
              count {opLabel(op)}
            </option>
          ))}
        </select>
        {value.count ? (
          <input
            type="number"
            min={0}
            aria-label="Count"
            class="narrow"
            value={String(value.count.value)}
            onInput={(e) =>
              onChange({
                ...value,
                count: { operator: value.count!.operator, value: Number(e.currentTarget.value) },
              })
            }
          />
        ) : null}
        <span class="muted">within</span>
        <input
          type="number"
          min={1}
          class="narrow"
          aria-label="Within (leave empty for any time)"
          placeholder="any"
          value={withinN}
          onInput={(e) => setWithin(e.currentTarget.value, withinU)}
        />
        <select
          aria-label="Within unit"
          value={withinU}
          onChange={(e) => setWithin(withinN, e.currentTarget.value)}
        >
          <option value="d">days</option>
          <option value="h">hours</option>
          <option value="m">minutes</option>
        </select>
      </div>
      <div class="cond-sub">
        <span class="muted">where event data</span>
        <GroupEditor
          value={value.where ?? { and: [] }}
          onChange={(w) => onChange({ ...value, where: w })}
          ctx={{ ...ctx, attributeListId: '', rowSubject: 'Event data' }}
          kinds={['attribute']}
          subject="Event data"
          emptyText="any data"
        />
      </div>
    </div>
  );
}

function NodeEditor({
  value,
  onChange,
  ctx,
}: {
  value: Condition;
  onChange: (c: Condition) => void;
  ctx: Ctx;
}) {
  if ('and' in value || 'or' in value) return <GroupEditor value={value} onChange={onChange} ctx={ctx} />;
  if ('not' in value)
    return (
      <div class="cond-sub">
        <GroupEditor
          value={asGroup(value.not)}
          onChange={(c) => onChange({ not: c })}
          ctx={ctx}
          subject="Not"
        />
      </div>
    );
  if ('attribute' in value)
    return (
      <AttributeRow
        value={value.attribute}
        onChange={(a) => onChange({ attribute: a })}
        listId={ctx.attributeListId}
        subject={ctx.rowSubject}
      />
    );
  if ('segment' in value)
    return (
      <SegmentPicker value={value.segment.id} onChange={(id) => onChange({ segment: { id } })} ctx={ctx} />
    );
  if ('device' in value)
    return (
      <div class="cond-sub">
        <span class="muted">has a device where</span>
        <GroupEditor
          value={asGroup(value.device)}
          onChange={(d) => onChange({ device: d })}
          ctx={{ ...ctx, attributeListId: 'roster-device-fields', rowSubject: 'Device' }}
          kinds={['attribute']}
          subject="Device"
          emptyText="any device"
        />
      </div>
    );
  if ('event' in value)
    return <EventEditor value={value.event} onChange={(e) => onChange({ event: e })} ctx={ctx} />;
  return <pre class="json">{JSON.stringify(value)}</pre>;
}

function GroupEditor({
  value,
  onChange,
  ctx,
  kinds = ['attribute', 'device', 'event', 'segment', 'and', 'or', 'not'],
  subject = 'Condition',
  emptyText = 'everyone',
}: {
  value: Condition;
  onChange: (c: Condition) => void;
  ctx: Ctx;
  kinds?: Kind[];
  subject?: string;
  emptyText?: string;
}) {
  const mode: 'and' | 'or' = 'or' in value ? 'or' : 'and';
  const children = 'and' in value ? value.and : 'or' in value ? value.or : [];
  const set = (kids: Condition[]) => onChange(mode === 'and' ? { and: kids } : { or: kids });
  const attrOnly = kinds.length === 1 && kinds[0] === 'attribute';
  return (
    <fieldset class="cond-group">
      <legend>
        <select
          aria-label={`${subject}: match`}
          value={mode}
          onChange={(e) => onChange(e.currentTarget.value === 'or' ? { or: children } : { and: children })}
        >
          <option value="and">all of</option>
          <option value="or">any of</option>
        </select>
      </legend>
      {children.length === 0 ? <p class="muted small">No conditions: matches {emptyText}.</p> : null}
      <ol class="cond-list">
        {children.map((child, i) => (
          <li key={i} class={`cond-item kind-${kindOf(child)}${attrOnly ? ' bare' : ''}`}>
            {attrOnly ? null : <span class="cond-kind">{KIND_LABELS[kindOf(child)]}</span>}
            <div class="cond-body">
              <NodeEditor
                value={child}
                onChange={(c) => set(children.map((k, j) => (j === i ? c : k)))}
                ctx={ctx}
              />
            </div>
            <button
              type="button"
              class="icon"
              aria-label={`Remove ${KIND_LABELS[kindOf(child)].toLowerCase()} condition ${i + 1}`}
              title="Remove"
              onClick={() => set(children.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      {attrOnly ? (
        <button type="button" class="small" onClick={() => set([...children, blank('attribute')])}>
          + {subject === 'Device' ? 'Device field' : 'Field'}
        </button>
      ) : (
        <select
          class="add"
          aria-label={`Add a condition to this group`}
          value=""
          onChange={(e) => {
            const k = e.currentTarget.value as Kind;
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

export function ConditionBuilder({
  value,
  onChange,
  segments,
  excludeSegment,
  attributeNames = [],
}: {
  value: Condition;
  onChange: (c: Condition) => void;
  segments: Segment[];
  excludeSegment?: number;
  attributeNames?: string[];
}) {
  const ctx: Ctx = {
    segments,
    excludeSegment,
    attributeListId: 'roster-attribute-names',
    rowSubject: 'Attribute',
  };
  return (
    <div class="builder" data-testid="condition-builder">
      <datalist id="roster-attribute-names">
        {['id', 'email', 'cio_id', 'unsubscribed', 'created_at', ...attributeNames].map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <datalist id="roster-device-fields">
        {DEVICE_FIELDS.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <GroupEditor value={asGroup(value)} onChange={onChange} ctx={ctx} />
    </div>
  );
}
