import type { AppSegment, SegmentConditions } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { ConditionBuilder } from '../components/conditions/condition-builder';
import { useObjectTypes } from '../data/use-object-types';
import { problems, toModel, type GroupCondition } from '../models/conditions';

/** The conditions builder over the People list; "Apply" puts the conditions in the URL. */
export function FilterPanel({
  initial,
  segments,
  attributeNames,
  onApply,
}: {
  initial: SegmentConditions | null;
  segments: AppSegment[];
  attributeNames: string[];
  onApply: (filter: GroupCondition | null) => void;
}) {
  const [draft, setDraft] = useState<GroupCondition>(() => toModel(initial));
  const [tried, setTried] = useState(false);
  const objectTypes = useObjectTypes();
  const found = problems(draft, { allowEmpty: true });
  const errors = tried ? Object.fromEntries(found.map((p) => [p.pointer, p.message])) : {};
  return (
    <div id="people-builder" class="panel">
      <ConditionBuilder
        value={draft}
        onChange={setDraft}
        segments={segments}
        objectTypes={objectTypes.data ?? []}
        attributeNames={attributeNames}
        errors={errors}
        idPrefix="people-cond"
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
