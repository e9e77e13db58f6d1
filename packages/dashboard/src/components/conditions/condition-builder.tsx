import { DEVICE_FIELDS, PERSON_FIELDS, type GroupCondition } from '../../models/conditions';
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
}: {
  value: GroupCondition;
  onChange: (c: GroupCondition) => void;
  segments: ReadonlyArray<{ id: number; name: string }>;
  excludeSegment?: number;
  objectTypes?: ReadonlyArray<{ id: string; name: string }>;
  attributeNames?: string[];
  errors?: Readonly<Record<string, string>>;
  idPrefix?: string;
}) {
  const ctx: BuilderContext = {
    segments,
    excludeSegment,
    objectTypes,
    scope: 'person',
    listId: `${idPrefix}-attribute-names`,
    subject: 'Attribute',
    errors,
    idPrefix,
  };
  const rootError = errors[''];
  return (
    <div class="builder" data-testid="condition-builder">
      <datalist id={`${idPrefix}-attribute-names`}>
        {[...new Set([...PERSON_FIELDS, ...attributeNames])].map((n) => (
          <option key={n} value={n} />
        ))}
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
        emptyText="everyone"
      />
      {rootError ? (
        <p class="row-error" role="alert">
          {rootError}
        </p>
      ) : null}
    </div>
  );
}
