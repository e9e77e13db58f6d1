import { useMemo } from 'preact/hooks';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { ErrorBox } from '../components/error-box';
import { PageTitle } from '../components/page-title';
import { Pager } from '../components/pager';
import { PerPage } from '../components/per-page';
import { SearchForm, type SearchFormWords } from '../components/search-form';
import { useSegments } from '../data/use-segments';
import { navigate, useLocation } from '../lib/router';
import { useCursor } from '../lib/use-cursor';
import { useStored } from '../lib/use-stored';
import { modeOf, parseQuery, toSearch, type PeopleQuery } from '../models/people-query';
import { ColumnChooser } from './column-chooser';
import { FirstRun } from './first-run';
import { MatchSummary } from './match-summary';
import { PeopleTable } from './people-table';
import { usePeoplePage } from './use-people';

const WORDS: SearchFormWords = {
  name: 'People',
  idPrefix: 'people',
  searchLabel: 'Search by the start of an id or email, or a whole cio_id',
  searchPlaceholder: 'e.g. ann or ann@',
  valuePlaceholder: 'value, e.g. pro',
};

/** People: find by the start of an id or email, an attribute's value, or conditions; count; save as a segment. */
export function PeoplePage() {
  const path = useLocation();
  const search = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  const query = useMemo(() => parseQuery(search), [search]);
  const queryKey = toSearch(query);
  const [limit, setLimit] = useStored('roster.people.limit', 25);
  const [columns, setColumns] = useStored<string[]>('roster.people.columns', ['id', 'devices', 'updated']);
  const cursor = useCursor(`${queryKey}|${limit}`);
  const segments = useSegments();
  const page = usePeoplePage(query, queryKey, cursor.start, limit);

  const attributeNames = useMemo(() => {
    const names = new Set<string>();
    for (const c of page.data?.profiles.values() ?? [])
      for (const k of Object.keys(c.attributes)) names.add(k);
    for (const k of ['id', 'email', 'cio_id']) names.delete(k);
    return [...names].sort();
  }, [page.data]);

  const apply = (next: PeopleQuery) => navigate(`/people${toSearch(next)}`);
  const searching = modeOf(query) !== 'all';

  return (
    <section>
      <PageTitle tab={[query.q || null, 'People']}>People</PageTitle>
      <SearchForm
        key={queryKey}
        words={WORDS}
        query={query}
        onApply={apply}
        segments={segments.data ?? []}
        attributeNames={attributeNames}
      />
      <MatchSummary query={query} queryKey={queryKey} segments={segments.data ?? []} />

      <div class="toolbar">
        <ColumnChooser columns={columns} setColumns={setColumns} attributeNames={attributeNames} />
        <PerPage limit={limit} onChange={setLimit} />
      </div>

      <AsyncView state={page} what="Search" label="Finding people…">
        {({ people, next, profiles, profileError }) => (
          <>
            {profileError ? <ErrorBox error={profileError} what="Attributes for this page" /> : null}
            {people.length === 0 ? (
              <Empty>
                {searching ? (
                  <>
                    No one matches. Search finds ids and emails by how they start (“ann” finds
                    ann@example.com).
                  </>
                ) : (
                  <FirstRun />
                )}
              </Empty>
            ) : (
              <PeopleTable people={people} profiles={profiles} columns={columns} page={cursor.page} />
            )}
            <Pager label="People" cursor={cursor} next={next} />
          </>
        )}
      </AsyncView>
    </section>
  );
}
