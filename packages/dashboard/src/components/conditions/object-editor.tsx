import { isGroup, toModel, type ObjectCondition } from '../../models/conditions';
import type { BuilderContext } from './builder-context';
import { GroupEditor } from './group-editor';

/**
 * "Related to an object of type T whose <attribute> <op> <value>, where the relationship has
 * <attribute> <op> <value>": the type, a test on the object's attributes, and one on the
 * relationship's (docs/objects.md "Segments on objects"). Both hold on the same relationship.
 */
export function ObjectEditor({
  value,
  onChange,
  ctx,
  pointer,
}: {
  value: ObjectCondition;
  onChange: (o: ObjectCondition) => void;
  ctx: BuilderContext;
  pointer: string;
}) {
  const typeId = String(value.type_id);
  const known = typeId === '' || ctx.objectTypes.some((t) => t.id === typeId);
  return (
    <div class="cond-object">
      <div class="cond-row">
        <span class="muted">related to an object of type</span>
        <select
          aria-label="Object type"
          value={typeId}
          onChange={(e) => onChange({ ...value, type_id: e.currentTarget.value })}
        >
          <option value="">Choose a type…</option>
          {known ? null : <option value={typeId}>Type {typeId}</option>}
          {ctx.objectTypes.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <div class="cond-sub">
        <span class="muted small">whose attributes</span>
        <GroupEditor
          value={value.where && isGroup(value.where) ? value.where : toModel(value.where)}
          onChange={(w) => onChange({ ...value, where: w })}
          ctx={{ ...ctx, scope: 'object', listId: '', subject: 'Object attribute' }}
          pointer={`${pointer}/object/where`}
          emptyText="any object of the type"
        />
      </div>
      <div class="cond-sub">
        <span class="muted small">where the relationship has</span>
        <GroupEditor
          value={
            value.relationship && isGroup(value.relationship)
              ? value.relationship
              : toModel(value.relationship)
          }
          onChange={(r) => onChange({ ...value, relationship: r })}
          ctx={{ ...ctx, scope: 'relationship', listId: '', subject: 'Relationship attribute' }}
          pointer={`${pointer}/object/relationship`}
          emptyText="any relationship"
        />
      </div>
    </div>
  );
}
