import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { useSegments } from '../data/use-segments';
import { useAsync } from '../lib/use-async';
import { ExplainView } from './explain-view';

/** The segments a person is in, each with "Why?" (the condition tree with what it saw). */
export function SegmentsCard({ cioId }: { cioId: string }) {
  const state = useAsync((s) => App.customerSegments(cioId, s), [cioId]);
  const all = useSegments();
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section class="card" aria-labelledby="h-segs">
      <h2 id="h-segs">Segments</h2>
      <AsyncView state={state} what="Segments">
        {(segs) =>
          segs.length === 0 ? (
            <Empty>Not in any segment.</Empty>
          ) : (
            <ul class="plain" data-testid="person-segments">
              {segs.map((s) => {
                const full = all.data?.find((x) => x.id === s.id);
                return (
                  <li key={s.id}>
                    <div class="row-between">
                      <Link href={`/segments/${s.id}`}>{s.name}</Link>
                      <button
                        type="button"
                        class="small"
                        aria-expanded={open === s.id}
                        onClick={() => setOpen(open === s.id ? null : s.id)}
                      >
                        {open === s.id ? 'Hide why' : 'Why?'}
                        <span class="sr-only"> (in {s.name})</span>
                      </button>
                    </div>
                    {open === s.id ? (
                      <ExplainView
                        segmentId={s.id}
                        name={s.name}
                        manual={full?.type === 'manual'}
                        cioId={cioId}
                        segments={all.data ?? []}
                      />
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
