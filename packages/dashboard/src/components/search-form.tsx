import type { AppSegment } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { useLazy } from '../lib/use-lazy';
import { OBJECT_FIELDS, PERSON_FIELDS } from '../models/conditions';
import { EMPTY_SEARCH, isSearching, type SearchQuery } from '../models/search-query';
import { Loading } from './loading';

/** The builder's code is fetched when someone opens it (most searches never do). */
const loadFilterPanel = () => import('./filter-panel').then((m) => m.FilterPanel);

/** What differs between the People and Objects search forms. */
export interface SearchFormWords {
  /** The form's name, and the prefix of its ids (`people`, `objects`). */
  name: string;
  idPrefix: string;
  searchLabel: string;
  searchPlaceholder: string;
  valuePlaceholder: string;
}

/**
 * The search box, an attribute's value, and the conditions builder. Everything lands in the URL,
 * so a search can be reloaded and shared. What else the query holds (Objects' type) is kept.
 */
export function SearchForm<Q extends SearchQuery>({
  words,
  scope = 'person',
  query,
  onApply,
  segments,
  attributeNames,
}: {
  words: SearchFormWords;
  scope?: 'person' | 'object';
  query: Q;
  onApply: (q: Q) => void;
  segments?: AppSegment[];
  attributeNames: string[];
}) {
  const [q, setQ] = useState(query.q);
  const [attr, setAttr] = useState(query.attr);
  const [op, setOp] = useState(query.op);
  const [value, setValue] = useState(query.value);
  const [showBuilder, setShowBuilder] = useState(!!query.filter);
  const FilterPanel = useLazy(loadFilterPanel, showBuilder);
  const id = (s: string) => `${words.idPrefix}-${s}`;
  const fields = scope === 'object' ? OBJECT_FIELDS : PERSON_FIELDS;

  return (
    <>
      <form
        class="search card"
        role="search"
        aria-label={words.name}
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value: attr.trim() ? value : '' });
        }}
      >
        <label for={id('q')}>{words.searchLabel}</label>
        <div class="inline">
          <input
            id={id('q')}
            type="search"
            value={q}
            placeholder={words.searchPlaceholder}
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
              list={id('attribute-names')}
              value={attr}
              autocomplete="off"
              onInput={(e) => setAttr(e.currentTarget.value)}
            />
            <datalist id={id('attribute-names')}>
              {[...new Set([...attributeNames, ...fields])].map((n) => (
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
              placeholder={words.valuePlaceholder}
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </div>
        </fieldset>
        <div class="inline">
          <button
            type="button"
            aria-expanded={showBuilder}
            aria-controls={id('builder')}
            onClick={() => setShowBuilder(!showBuilder)}
          >
            {showBuilder ? 'Hide conditions' : 'Filter with conditions'}
          </button>
          {isSearching(query) ? (
            <button
              type="button"
              class="link"
              onClick={() => {
                setQ('');
                setAttr('');
                setOp('eq');
                setValue('');
                onApply({ ...query, ...EMPTY_SEARCH });
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
          idPrefix={words.idPrefix}
          scope={scope}
          initial={query.filter}
          segments={segments}
          attributeNames={attributeNames}
          onApply={(filter) => onApply({ ...query, q: q.trim(), attr: attr.trim(), op, value, filter })}
        />
      ) : null}
    </>
  );
}
