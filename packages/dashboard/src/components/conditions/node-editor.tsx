import { isGroup, toModel, type Condition } from '../../models/conditions';
import { AttributeEditor } from './attribute-editor';
import type { BuilderContext } from './builder-context';
import { EventEditor } from './event-editor';
import { GroupEditor } from './group-editor';
import { ObjectEditor } from './object-editor';
import { SegmentPicker } from './segment-picker';

/** The editor for one condition, by its kind. */
export function NodeEditor({
  value,
  onChange,
  ctx,
  pointer,
}: {
  value: Condition;
  onChange: (c: Condition) => void;
  ctx: BuilderContext;
  pointer: string;
}) {
  if (isGroup(value))
    return <GroupEditor value={value} onChange={onChange} ctx={ctx} pointer={pointer} emptyText="everyone" />;
  if ('not' in value)
    return (
      <div class="cond-sub">
        <span class="muted small">not:</span>
        <GroupEditor
          value={isGroup(value.not) ? value.not : toModel(value.not)}
          onChange={(c) => onChange({ not: c })}
          ctx={ctx}
          pointer={`${pointer}/not`}
          emptyText="nobody"
        />
      </div>
    );
  if ('attribute' in value)
    return <AttributeEditor value={value.attribute} onChange={(a) => onChange({ attribute: a })} ctx={ctx} />;
  if ('segment' in value)
    return (
      <SegmentPicker value={value.segment.id} onChange={(id) => onChange({ segment: { id } })} ctx={ctx} />
    );
  if ('device' in value)
    return (
      <div class="cond-sub">
        <span class="muted small">has a device where</span>
        <GroupEditor
          value={isGroup(value.device) ? value.device : toModel(value.device)}
          onChange={(d) => onChange({ device: d })}
          ctx={{ ...ctx, scope: 'device', listId: `${ctx.idPrefix}-device-fields`, subject: 'Device' }}
          pointer={`${pointer}/device`}
          emptyText="any device"
        />
      </div>
    );
  if ('event' in value)
    return (
      <EventEditor value={value.event} onChange={(e) => onChange({ event: e })} ctx={ctx} pointer={pointer} />
    );
  if ('object' in value)
    return (
      <ObjectEditor
        value={value.object}
        onChange={(o) => onChange({ object: o })}
        ctx={ctx}
        pointer={pointer}
      />
    );
  return <pre class="json">{JSON.stringify(value)}</pre>;
}
