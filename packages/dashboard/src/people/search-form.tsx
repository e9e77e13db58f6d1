import type { AppSegment } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { Loading } from '../components/loading';
import { useLazy } from '../lib/use-lazy';
import { PERSON_FIELDS } from '../models/conditions';
import { EMPTY_QUERY, type PeopleQuery } from '../models/people-query';

/** The builder's code is fetched when someone opens it (most searches never do). */
const loadFilterPanel = () => import('./filter-panel').then((m) => m.FilterPanel);

/**
 * The search box (the start of an id or email, or a cio_id), an attribute's value, and the
 * conditions builder. Everything lands in the URL, so a search can be reloaded and shared.
 */
export function SearchForm({
  query,
  onApply,
  segments,
  attributeNames,
}: {
  query: PeopleQuery;
  onApply: (q: PeopleQuery) => void;
  segments: AppSegment[];
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
        aria-label="People"
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value: attr.trim() ? value : '' });
        }}
      >
        <label for="people-q">Search by the start of an id or email, or a whole cio_id</label>
        <div class="inline">
          <input
            id="people-q"
            type="search"
            value={q}
            placeholder="e.g. ann or ann@"
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
              list="people-attribute-names"
              value={attr}
              autocomplete="off"
              onInput={(e) => setAttr(e.currentTarget.value)}
            />
            <datalist id="people-attribute-names">
              {[...new Set([...attributeNames, ...PERSON_FIELDS])].map((n) => (
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
              placeholder="value, e.g. pro"
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </div>
        </fieldset>
        <div class="inline">
          <button
            type="button"
            aria-expanded={showBuilder}
            aria-controls="people-builder"
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
                onApply(EMPTY_QUERY);
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
          segments={segments}
          attributeNames={attributeNames}
          onApply={(filter) => onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value, filter })}
        />
      ) : null}
    </>
  );
}
