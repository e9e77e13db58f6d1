import { DEVICE_FIELDS, OBJECT_FIELDS, PERSON_FIELDS, type GroupCondition } from '../../models/conditions';
import type { BuilderContext } from './builder-context';
import { GroupEditor } from './group-editor';

/**
 * A visual editor for the segments' condition language: all-of / any-of groups, attributes, a
 * device block, events (count, time window, data), related objects (their attributes and the
 * relationship's) and other segments. `value` is the builder's
 * model (models/conditions: `toModel` / `toWire`). `errors` puts a message on the row it concerns
 * (by JSON pointer), whether the builder found it or the server did.
 */
export function ConditionBuilder({
  value,
  onChange,
  segments,
  excludeSegment,
  objectTypes = [],
  attributeNames = [],
  errors = {},
  idPrefix = 'cond',
  scope = 'person',
}: {
  value: GroupCondition;
  onChange: (c: GroupCondition) => void;
  segments: ReadonlyArray<{ id: number; name: string }>;
  excludeSegment?: number;
  objectTypes?: ReadonlyArray<{ id: string; name: string }>;
  attributeNames?: string[];
  errors?: Readonly<Record<string, string>>;
  idPrefix?: string;
  /** `object`: conditions on objects' attributes (the Objects search), rows of attributes only. */
  scope?: 'person' | 'object';
}) {
  const ctx: BuilderContext = {
    segments,
    excludeSegment,
    objectTypes,
    scope,
    listId: `${idPrefix}-attribute-names`,
    subject: scope === 'object' ? 'Object attribute' : 'Attribute',
    errors,
    idPrefix,
  };
  const rootError = errors[''];
  return (
    <div class="builder" data-testid="condition-builder">
      <datalist id={`${idPrefix}-attribute-names`}>
        {[...new Set([...(scope === 'object' ? OBJECT_FIELDS : PERSON_FIELDS), ...attributeNames])].map(
          (n) => (
            <option key={n} value={n} />
          ),
        )}
      </datalist>
      <datalist id={`${idPrefix}-device-fields`}>
        {DEVICE_FIELDS.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <GroupEditor
        value={value}
        onChange={(c) => onChange(c as GroupCondition)}
        ctx={ctx}
        pointer=""
        emptyText={scope === 'object' ? 'every object' : 'everyone'}
      />
      {rootError ? (
        <p class="row-error" role="alert">
          {rootError}
        </p>
      ) : null}
    </div>
  );
}
