import type { AppSegment } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';
import { problems, toModel, type Condition, type GroupCondition } from '../models/conditions';
import { ConditionBuilder } from './conditions/condition-builder';

/**
 * The conditions builder over a search list (People, Objects); "Apply" puts the conditions in the
 * URL. On People it offers related objects, so it fetches the object types once opened.
 */
export function FilterPanel({
  idPrefix,
  scope = 'person',
  initial,
  segments = [],
  attributeNames,
  onApply,
}: {
  /** `people` or `objects`: the panel is `#<idPrefix>-builder`. */
  idPrefix: string;
  scope?: 'person' | 'object';
  initial: Condition | null;
  segments?: AppSegment[];
  attributeNames: string[];
  onApply: (filter: GroupCondition | null) => void;
}) {
  const [draft, setDraft] = useState<GroupCondition>(() => toModel(initial));
  const [tried, setTried] = useState(false);
  const objectTypes = useAsync(
    (signal) => (scope === 'person' ? App.objectTypes(signal) : Promise.resolve([])),
    [scope],
  );
  const found = problems(draft, { allowEmpty: true });
  const errors = tried ? Object.fromEntries(found.map((p) => [p.pointer, p.message])) : {};
  return (
    <div id={`${idPrefix}-builder`} class="panel">
      <ConditionBuilder
        value={draft}
        onChange={setDraft}
        segments={segments}
        objectTypes={objectTypes.data ?? []}
        attributeNames={attributeNames}
        errors={errors}
        idPrefix={`${idPrefix}-cond`}
        scope={scope}
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
