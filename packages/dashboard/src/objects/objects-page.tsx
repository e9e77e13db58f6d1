import { useMemo } from 'preact/hooks';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { PageTitle } from '../components/page-title';
import { Pager } from '../components/pager';
import { PerPage } from '../components/per-page';
import { SearchForm, type SearchFormWords } from '../components/search-form';
import { useObjectTypes } from '../data/use-object-types';
import { navigate, useLocation } from '../lib/router';
import { useCursor } from '../lib/use-cursor';
import { useStored } from '../lib/use-stored';
import { plural } from '../models/format';
import { isSearching, parseObjectsQuery, toObjectsSearch, type ObjectsQuery } from '../models/objects-query';
import { NoObjects } from './no-objects';
import { ObjectsTable } from './objects-table';
import { TypePicker } from './type-picker';
import { useObjectsPage } from './use-objects';

const WORDS: SearchFormWords = {
  name: 'Objects',
  idPrefix: 'objects',
  searchLabel: 'Search by the start of an object id or name',
  searchPlaceholder: 'e.g. acme',
  valuePlaceholder: 'value, e.g. enterprise',
};

/** Objects of one type at a time: find them by id, name, an attribute or conditions; page through. */
export function ObjectsPage() {
  const path = useLocation();
  const search = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  const asked = useMemo(() => parseObjectsQuery(search), [search]);
  const types = useObjectTypes();
  // Without a type in the URL the first type is shown.
  const query: ObjectsQuery = useMemo(
    () => (asked.type || !types.data?.length ? asked : { ...asked, type: types.data[0]!.id }),
    [asked, types.data],
  );
  const queryKey = toObjectsSearch(query);
  const [limit, setLimit] = useStored('roster.objects.limit', 25);
  const cursor = useCursor(`${queryKey}|${limit}`);
  const page = useObjectsPage(query, queryKey, cursor.start, limit);
  const type = types.data?.find((t) => t.id === query.type);

  const attributeNames = useMemo(() => {
    const names = new Set<string>();
    for (const o of page.data?.objects ?? []) for (const k of Object.keys(o.attributes)) names.add(k);
    return [...names].sort();
  }, [page.data]);

  const apply = (next: ObjectsQuery) => navigate(`/objects${toObjectsSearch(next)}`);
  const searching = isSearching(query);

  return (
    <section>
      <PageTitle tab={[type?.name, 'Objects']}>Objects</PageTitle>
      <AsyncView state={types} what="Object types" label="Loading object types…">
        {(list) =>
          list.length === 0 ? (
            <Empty>
              <NoObjects />
            </Empty>
          ) : (
            <>
              <div class="toolbar">
                <TypePicker
                  types={list}
                  value={query.type}
                  onChange={(t) => apply({ ...query, type: t, filter: null, attr: '', value: '', q: '' })}
                />
                <PerPage limit={limit} onChange={setLimit} />
              </div>
              {type ? null : (
                <Empty>
                  There is no object type {query.type} in this workspace. Choose one of the types above.
                </Empty>
              )}
              <SearchForm
                key={queryKey}
                words={WORDS}
                scope="object"
                query={query}
                onApply={apply}
                attributeNames={attributeNames}
              />
              {type && !searching && type.count !== undefined ? (
                <p class="match-summary" data-testid="objects-count">
                  <strong>{plural(type.count, type.singular_name, type.name)}</strong>
                </p>
              ) : null}
              <AsyncView state={page} what="Objects" label="Finding objects…">
                {(found) =>
                  found === null ? null : (
                    <>
                      {found.objects.length === 0 ? (
                        <Empty>
                          {searching
                            ? `No ${type?.name ?? 'objects'} match. The search box finds ids and names by how they start.`
                            : `No ${type?.name ?? 'objects'} yet.`}
                        </Empty>
                      ) : (
                        <ObjectsTable objects={found.objects} page={cursor.page} />
                      )}
                      <Pager label={type?.name ?? 'Objects'} cursor={cursor} next={found.next} />
                    </>
                  )
                }
              </AsyncView>
            </>
          )
        }
      </AsyncView>
    </section>
  );
}
