import { useMemo, useState } from 'preact/hooks';
import {
  App,
  EVERYONE,
  findPeople,
  type Condition,
  type Customer,
  type Identifiers,
  type Segment,
} from '../api';
import { ConditionBuilder, describe, incomplete, isEmptyGroup, clean } from '../conditions';
import { Link, navigate, searchParam, useAsync, useCursor, useLocation, useStored } from '../lib';
import { Async, AttrValue, Empty, ErrorBox, PageTitle, Pager, Time } from '../ui';

const BUILT_IN = ['id', 'email', 'cio_id', 'devices', 'updated'] as const;
const BUILT_IN_LABELS: Record<string, string> = {
  id: 'ID',
  email: 'Email',
  cio_id: 'cio_id',
  devices: 'Devices',
  updated: 'Last updated',
};

/** The filter for an identifier search: exact id, email or cio_id. */
export function identifierFilter(q: string): Condition {
  const value = q.trim();
  return {
    or: [
      { attribute: { field: 'id', operator: 'eq', value } },
      { attribute: { field: 'email', operator: 'eq', value } },
      { attribute: { field: 'cio_id', operator: 'eq', value: value.replace(/^cio_/, '') } },
    ],
  };
}

function parseFilterParam(raw: string): Condition | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Condition;
  } catch {
    return null;
  }
}

export function personLabel(ids: Identifiers | null | undefined): string {
  if (!ids) return '(deleted person)';
  return ids.email ?? ids.id ?? ids.cio_id;
}

export function People() {
  useLocation(); // re-render on ?q= / ?filter= changes
  const q = searchParam('q');
  const applied = parseFilterParam(searchParam('filter'));
  const [text, setText] = useState(q);
  const [draft, setDraft] = useState<Condition>(applied ?? { and: [] });
  const [showBuilder, setShowBuilder] = useState(!!applied);
  const [limit, setLimit] = useStored('roster.people.limit', 25);
  const [columns, setColumns] = useStored<string[]>('roster.people.columns', ['id', 'devices', 'updated']);

  const filter = useMemo<Condition>(() => {
    const parts: Condition[] = [];
    if (q.trim()) parts.push(identifierFilter(q));
    if (applied && !isEmptyGroup(applied)) parts.push(clean(applied));
    if (parts.length === 0) return EVERYONE;
    return parts.length === 1 ? parts[0]! : { and: parts };
  }, [q, searchParam('filter')]);
  const filterKey = JSON.stringify(filter);
  const cursor = useCursor(`${filterKey}|${limit}`);

  const segments = useAsync((s) => App.segments(s).then((r) => r.segments), []);
  const page = useAsync(
    async (signal) => {
      // A plain identifier search needs no filter support: exact lookups answer it.
      const found =
        q.trim() && !(applied && !isEmptyGroup(applied))
          ? { identifiers: await findPeople(q, signal), ids: [], next: '' }
          : await App.search(filter, cursor.start, limit, signal);
      const cioIds = found.identifiers.map((i) => i.cio_id);
      let profiles: Customer[] = [];
      let profileError: unknown = null;
      if (cioIds.length) {
        try {
          profiles = (await App.customers(cioIds, signal)).customers;
        } catch (err) {
          profileError = err;
        }
      }
      const byCio = new Map(profiles.map((c) => [c.identifiers?.cio_id ?? c.attributes.cio_id, c]));
      return { found, byCio, profileError };
    },
    [filterKey, cursor.start, limit],
  );

  const attributeNames = useMemo(() => {
    const names = new Set<string>();
    for (const c of page.data?.byCio.values() ?? []) for (const k of Object.keys(c.attributes)) names.add(k);
    for (const k of ['id', 'email', 'cio_id']) names.delete(k);
    return [...names].sort();
  }, [page.data]);

  const setParams = (nextQ: string, nextFilter: Condition | null) => {
    const p = new URLSearchParams();
    if (nextQ.trim()) p.set('q', nextQ.trim());
    if (nextFilter && !isEmptyGroup(nextFilter)) p.set('filter', JSON.stringify(nextFilter));
    const s = p.toString();
    navigate(`/people${s ? `?${s}` : ''}`);
  };

  const problem = isEmptyGroup(draft) ? null : incomplete(draft);

  return (
    <section>
      <PageTitle>People</PageTitle>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(text, applied);
        }}
      >
        <label for="people-q">Find a person by id, email or cio_id</label>
        <div class="inline">
          <input
            id="people-q"
            type="search"
            value={text}
            placeholder="dana@example.com"
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <button type="submit" class="primary">
            Search
          </button>
          {q || applied ? (
            <button
              type="button"
              onClick={() => {
                setText('');
                setDraft({ and: [] });
                setParams('', null);
              }}
            >
              Clear
            </button>
          ) : null}
          <button
            type="button"
            aria-expanded={showBuilder}
            aria-controls="people-builder"
            onClick={() => setShowBuilder(!showBuilder)}
          >
            {showBuilder ? 'Hide conditions' : 'Filter with conditions'}
          </button>
        </div>
      </form>

      {showBuilder ? (
        <div id="people-builder" class="panel">
          <ConditionBuilder
            value={draft}
            onChange={setDraft}
            segments={segments.data ?? ([] as Segment[])}
            attributeNames={attributeNames}
          />
          <div class="inline">
            <button type="button" class="primary" disabled={!!problem} onClick={() => setParams(q, draft)}>
              Apply conditions
            </button>
            {problem ? <span class="muted small">To apply: {problem}.</span> : null}
          </div>
        </div>
      ) : null}
      {applied && !isEmptyGroup(applied) ? (
        <p class="muted small">
          Showing people where {describe(applied, segments.data ?? [])}
          {q ? ` and whose id, email or cio_id is “${q}”` : ''}.
        </p>
      ) : null}

      <div class="toolbar">
        <ColumnChooser columns={columns} setColumns={setColumns} attributeNames={attributeNames} />
        <label class="inline small">
          Per page{' '}
          <select value={String(limit)} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
            {[25, 50, 100].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>

      <Async state={page} what="Search" label="Finding people…">
        {({ found, byCio, profileError }) => (
          <>
            {profileError ? <ErrorBox error={profileError} what="Attributes for this page" /> : null}
            {found.identifiers.length === 0 ? (
              <Empty>
                {q || applied ? (
                  <>No one matches. Identifier search is exact: try the full email or id.</>
                ) : (
                  <>
                    Nobody has been identified yet. Call <code>identify</code> from your app or the Track API,
                    and people appear here.
                  </>
                )}
              </Empty>
            ) : (
              <div class="table-wrap">
                <table class="people" data-testid="people-table">
                  <caption class="sr-only">People, page {cursor.page}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Person</th>
                      {columns.map((c) => (
                        <th scope="col" key={c}>
                          {BUILT_IN_LABELS[c] ?? c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {found.identifiers.map((ids) => {
                      const c = byCio.get(ids.cio_id);
                      return (
                        <tr key={ids.cio_id}>
                          <th scope="row">
                            <Link href={`/people/${encodeURIComponent(ids.cio_id)}`}>{personLabel(ids)}</Link>
                          </th>
                          {columns.map((col) => (
                            <td key={col}>
                              <Cell col={col} ids={ids} customer={c} />
                            </td>
                          ))}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            <Pager
              label="People"
              page={cursor.page}
              hasPrev={cursor.hasPrev}
              hasNext={!!found.next}
              onPrev={cursor.prev}
              onNext={() => cursor.next(found.next)}
            />
          </>
        )}
      </Async>
    </section>
  );
}

function Cell({ col, ids, customer }: { col: string; ids: Identifiers; customer: Customer | undefined }) {
  if (col === 'id' || col === 'email' || col === 'cio_id') {
    const v = ids[col];
    return v ? <span>{v}</span> : <span class="muted">—</span>;
  }
  if (!customer) return <span class="muted">…</span>;
  if (col === 'devices') {
    const n = customer.devices.length;
    if (!n) return <span class="muted">none</span>;
    const platforms = [...new Set(customer.devices.map((d) => d.platform))].join(', ');
    return (
      <span>
        {n} ({platforms})
      </span>
    );
  }
  if (col === 'updated') {
    const latest = Math.max(0, ...Object.values(customer.timestamps ?? {}));
    return <Time unix={latest || null} />;
  }
  const v = customer.attributes[col];
  return v === undefined ? <span class="muted">—</span> : <AttrValue value={v} />;
}

function ColumnChooser({
  columns,
  setColumns,
  attributeNames,
}: {
  columns: string[];
  setColumns: (c: string[]) => void;
  attributeNames: string[];
}) {
  const [extra, setExtra] = useState('');
  const all = [...new Set([...BUILT_IN, ...attributeNames, ...columns])];
  const toggle = (c: string, on: boolean) =>
    setColumns(on ? all.filter((x) => x === c || columns.includes(x)) : columns.filter((x) => x !== c));
  return (
    <details class="columns">
      <summary>Columns ({columns.length})</summary>
      <fieldset>
        <legend class="sr-only">Columns to show</legend>
        <ul>
          {all.map((c) => (
            <li key={c}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={columns.includes(c)}
                  onChange={(e) => toggle(c, e.currentTarget.checked)}
                />
                {BUILT_IN_LABELS[c] ?? c}
              </label>
            </li>
          ))}
        </ul>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const name = extra.trim();
            if (name && !columns.includes(name)) setColumns([...columns, name]);
            setExtra('');
          }}
        >
          <label for="extra-col" class="sr-only">
            Attribute to add as a column
          </label>
          <input
            id="extra-col"
            placeholder="attribute name"
            value={extra}
            onInput={(e) => setExtra(e.currentTarget.value)}
          />
          <button type="submit" class="small">
            Add
          </button>
        </form>
      </fieldset>
    </details>
  );
}
