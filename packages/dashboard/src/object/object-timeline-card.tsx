import { App } from '../api/endpoints';
import { PagedList } from '../components/paged-list';
import { usePaged } from '../lib/use-paged';
import { ObjectActivityItem } from './object-activity-item';

/** The object's history, newest first: changes to it and to its relationships. */
export function ObjectTimelineCard({ typeId, objectId }: { typeId: string; objectId: string }) {
  const state = usePaged(
    (start, s) =>
      App.objectActivities(typeId, objectId, start, 25, s).then((r) => ({
        items: r.activities,
        next: r.next,
      })),
    [typeId, objectId],
  );
  return (
    <section class="card wide" aria-labelledby="h-timeline">
      <h2 id="h-timeline">Timeline</h2>
      <PagedList state={state} what="Timeline" empty="Nothing has happened to this object yet.">
        {(items) => (
          <ol class="timeline" data-testid="timeline">
            {items.map((a) => (
              <ObjectActivityItem key={a.id} a={a} />
            ))}
          </ol>
        )}
      </PagedList>
    </section>
  );
}
