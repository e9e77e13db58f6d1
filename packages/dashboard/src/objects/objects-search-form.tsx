import { useState } from 'preact/hooks';
import { Loading } from '../components/loading';
import { useLazy } from '../lib/use-lazy';
import { OBJECT_FIELDS } from '../models/conditions';
import type { ObjectsQuery } from '../models/objects-query';

/** The builder's code is fetched when someone opens it. */
const loadFilterPanel = () => import('./objects-filter-panel').then((m) => m.ObjectsFilterPanel);

/**
 * The search box (the start of an object id or name), an attribute's value, and conditions on the
 * objects' attributes. Everything lands in the URL, so a search can be reloaded and shared.
 */
export function ObjectsSearchForm({
  query,
  onApply,
  attributeNames,
}: {
  query: ObjectsQuery;
  onApply: (q: ObjectsQuery) => void;
  attributeNames: string[];
}) {
  const [q, setQ] = useState(query.q);
  const [attr, setAttr] = useState(query.attr);
  const [op, setOp] = useState(query.op);
  const [value, setValue] = useState(query.value);
  const [showBuilder, setShowBuilder] = useState(!!query.filter);
  const active = !!(query.q || query.attr || query.filter);
  const FilterPanel = useLazy(loadFilterPanel, showBuilder);

  return (
    <>
      <form
        class="search card"
        role="search"
        aria-label="Objects"
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value: attr.trim() ? value : '' });
        }}
      >
        <label for="objects-q">Search by the start of an object id or name</label>
        <div class="inline">
          <input
            id="objects-q"
            type="search"
            value={q}
            placeholder="e.g. acme"
            autocomplete="off"
            onInput={(e) => setQ(e.currentTarget.value)}
          />
          <button type="submit" class="primary">
            Search
          </button>
        </div>
        <fieldset class="attr-search">
          <legend>Attribute value (optional)</legend>
          <div class="inline">
            <input
              aria-label="Attribute name"
              placeholder="attribute, e.g. plan"
              list="objects-attribute-names"
              value={attr}
              autocomplete="off"
              onInput={(e) => setAttr(e.currentTarget.value)}
            />
            <datalist id="objects-attribute-names">
              {[...new Set([...attributeNames, ...OBJECT_FIELDS])].map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
            <select
              aria-label="Attribute test"
              value={op}
              onChange={(e) => setOp(e.currentTarget.value === 'contains' ? 'contains' : 'eq')}
            >
              <option value="eq">equals</option>
              <option value="contains">contains</option>
            </select>
            <input
              aria-label="Attribute value"
              placeholder="value, e.g. enterprise"
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </div>
        </fieldset>
        <div class="inline">
          <button
            type="button"
            aria-expanded={showBuilder}
            aria-controls="objects-builder"
            onClick={() => setShowBuilder(!showBuilder)}
          >
            {showBuilder ? 'Hide conditions' : 'Filter with conditions'}
          </button>
          {active ? (
            <button
              type="button"
              class="link"
              onClick={() => {
                setQ('');
                setAttr('');
                setValue('');
                onApply({ ...query, q: '', attr: '', op: 'eq', value: '', filter: null });
              }}
            >
              Clear search
            </button>
          ) : null}
        </div>
      </form>
      {showBuilder && !FilterPanel ? <Loading label="Loading the conditions builder…" /> : null}
      {showBuilder && FilterPanel ? (
        <FilterPanel
          initial={query.filter}
          attributeNames={attributeNames}
          onApply={(filter) => onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value, filter })}
        />
      ) : null}
    </>
  );
}
