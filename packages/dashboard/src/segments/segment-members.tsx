import type { AppSegment } from '@roster/protocol';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { useAsync } from '../lib/use-async';
import { useCursor } from '../lib/use-cursor';
import { num, personLabel } from '../models/format';

export function SegmentMembers({ segment }: { segment: AppSegment }) {
  const cursor = useCursor(String(segment.id));
  const state = useAsync((s) => App.membership(segment.id, cursor.start, 25, s), [segment.id, cursor.start]);
  const count = useAsync((s) => App.segmentCount(segment.id, s), [segment.id]);
  return (
    <section class="card" aria-labelledby="h-members">
      <h2 id="h-members">Members{count.data !== undefined ? ` (${num(count.data)})` : ''}</h2>
      <AsyncView state={state} what="Members" label="Loading members…">
        {(r) =>
          r.identifiers.length === 0 ? (
            <Empty>Nobody is in this segment yet.</Empty>
          ) : (
            <>
              <ul class="plain members" data-testid="members">
                {r.identifiers.map((ids) => (
                  <li key={ids.cio_id}>
                    <Link href={`/people/${encodeURIComponent(ids.cio_id)}`}>{personLabel(ids)}</Link>
                    {ids.email && ids.id ? <span class="muted small"> · {ids.id}</span> : null}
                  </li>
                ))}
              </ul>
              <Pager label="Members" cursor={cursor} next={r.next} />
            </>
          )
        }
      </AsyncView>
    </section>
  );
}
