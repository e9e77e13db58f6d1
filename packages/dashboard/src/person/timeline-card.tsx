import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { ActivityItem } from '../components/activity-item';
import { PagedList } from '../components/paged-list';
import { usePaged } from '../lib/use-paged';
import { ACTIVITY_FILTERS } from '../models/activity';

/** The person's story, newest first, filterable by kind. */
export function TimelineCard({ cioId, tick }: { cioId: string; tick: number }) {
  const [type, setType] = useState('');
  const state = usePaged(
    (start, s) =>
      App.activities(cioId, { limit: 25, ...(type ? { type } : {}), start }, s).then((r) => ({
        items: r.activities,
        next: r.next,
      })),
    [cioId, type, tick],
  );
  return (
    <section class="card wide" aria-labelledby="h-timeline">
      <div class="row-between">
        <h2 id="h-timeline">Timeline</h2>
        <div class="inline small">
          <label for="timeline-type">Show</label>
          <select id="timeline-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {ACTIVITY_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <PagedList
        state={state}
        what="Timeline"
        empty={`Nothing has happened to this person${type ? ' of this kind' : ''} yet.`}
      >
        {(items) => (
          <ol class="timeline" data-testid="timeline">
            {items.map((a) => (
              <ActivityItem key={a.id} a={a} />
            ))}
          </ol>
        )}
      </PagedList>
    </section>
  );
}
