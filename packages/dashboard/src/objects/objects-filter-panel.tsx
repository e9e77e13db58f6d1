import { useState } from 'preact/hooks';
import { ConditionBuilder } from '../components/conditions/condition-builder';
import { problems, toModel, type Condition, type GroupCondition } from '../models/conditions';

/** Conditions on the objects' attributes (all of / any of); "Apply" puts them in the URL. */
export function ObjectsFilterPanel({
  initial,
  attributeNames,
  onApply,
}: {
  initial: Condition | null;
  attributeNames: string[];
  onApply: (filter: GroupCondition | null) => void;
}) {
  const [draft, setDraft] = useState<GroupCondition>(() => toModel(initial));
  const [tried, setTried] = useState(false);
  const found = problems(draft, { allowEmpty: true });
  const errors = tried ? Object.fromEntries(found.map((p) => [p.pointer, p.message])) : {};
  return (
    <div id="objects-builder" class="panel">
      <ConditionBuilder
        value={draft}
        onChange={setDraft}
        segments={[]}
        attributeNames={attributeNames}
        errors={errors}
        idPrefix="objects-cond"
        scope="object"
      />
      <div class="inline">
        <button
          type="button"
          class="primary"
          onClick={() => {
            setTried(true);
            if (found.length === 0) onApply(draft);
          }}
        >
          Apply conditions
        </button>
        {tried && found.length ? (
          <span class="field-error" role="alert">
            {found.length === 1 ? 'One condition needs' : `${found.length} conditions need`} attention (marked
            above).
          </span>
        ) : null}
      </div>
    </div>
  );
}
