import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Empty } from '../components/empty';
import { ErrorBox } from '../components/error-box';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { TimeAgo } from '../components/time-ago';
import { useObjectTypes } from '../data/use-object-types';
import { useSegments } from '../data/use-segments';
import { describeConditions } from '../models/conditions';
import { num } from '../models/format';
import { segmentNames, typeNames } from '../models/segment-names';
import { useSegmentCounts } from './use-segment-counts';
import { CardTable } from '../components/card-table';

/** Every segment: its rule in words (or that it is manual), its size, when it last changed. */
export function SegmentsPage() {
  const list = useSegments();
  const sizes = useSegmentCounts(list.data);
  const types = useObjectTypes();
  return (
    <section>
      <PageTitle
        tab={['Segments']}
        actions={
          <Link href="/segments/new" class="button primary">
            New segment
          </Link>
        }
      >
        Segments
      </PageTitle>
      <AsyncView state={list} what="Segments" label="Loading segments…">
        {(segments) =>
          segments.length === 0 ? (
            <Empty>
              No segments yet. <Link href="/segments/new">Create one</Link> from conditions on attributes,
              devices and events, or save a search from People.
            </Empty>
          ) : (
            <>
              <CardTable
                testId="segments-table"
                columns={[
                  { label: 'Segment' },
                  { label: 'Type' },
                  { label: 'People', num: true },
                  { label: 'Updated' },
                ]}
              >
                {segments.map((s) => {
                  const n = sizes.data?.get(s.id);
                  return (
                    <tr key={s.id}>
                      <th scope="row">
                        <Link href={`/segments/${s.id}`}>{s.name}</Link>
                        <div class="muted small rule" data-testid="segment-rule">
                          {s.type === 'dynamic' && s.conditions
                            ? describeConditions(s.conditions, segmentNames(segments), typeNames(types.data))
                            : 'People added through the Track API'}
                        </div>
                        {s.description ? <div class="muted small">{s.description}</div> : null}
                      </th>
                      <td data-label="Type">
                        <Badge tone={s.type === 'dynamic' ? 'info' : 'neutral'}>{s.type}</Badge>
                      </td>
                      <td class="num" data-label="People" aria-busy={n === undefined ? 'true' : 'false'}>
                        {n === undefined ? (
                          <span class="muted">…</span>
                        ) : n instanceof Error ? (
                          <span class="muted" title={n.message}>
                            ?
                          </span>
                        ) : (
                          num(n)
                        )}
                      </td>
                      <td data-label="Updated">
                        <TimeAgo unix={s.updated_at} />
                      </td>
                    </tr>
                  );
                })}
              </CardTable>
              {sizes.error ? <ErrorBox error={sizes.error} what="Counts" retry={sizes.reload} /> : null}
            </>
          )
        }
      </AsyncView>
    </section>
  );
}
