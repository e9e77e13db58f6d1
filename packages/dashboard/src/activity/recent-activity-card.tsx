import { App } from '../api/endpoints';
import { ActivityItem } from '../components/activity-item';
import { PagedList } from '../components/paged-list';
import { usePaged } from '../lib/use-paged';
import { ACTIVITY_FILTERS } from '../models/activity';

/** The workspace's feed, newest first, by kind (and by event name from Top events). */
export function RecentActivityCard({
  filter,
  onFilter,
}: {
  filter: { type: string; name: string };
  onFilter: (f: { type: string; name: string }) => void;
}) {
  const recent = usePaged(
    (start, s) =>
      App.allActivities(
        {
          start,
          limit: 25,
          ...(filter.type ? { type: filter.type } : {}),
          ...(filter.name ? { name: filter.name } : {}),
        },
        s,
      ).then((r) => ({ items: r.activities, next: r.next })),
    [filter.type, filter.name],
  );
  return (
    <section class="card" aria-labelledby="h-recent">
      <div class="row-between">
        <h2 id="h-recent">Recent activity</h2>
        <div class="inline">
          <label class="inline small">
            Show{' '}
            <select value={filter.type} onChange={(e) => onFilter({ type: e.currentTarget.value, name: '' })}>
              {ACTIVITY_FILTERS.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          {filter.name ? (
            <button
              type="button"
              class="small"
              onClick={() => onFilter({ ...filter, name: '' })}
              aria-label={`Stop filtering by the name ${filter.name}`}
            >
              name: {filter.name} ×
            </button>
          ) : null}
        </div>
      </div>
      <PagedList state={recent} what="Activity" empty="Nothing has happened in this workspace yet.">
        {(items) => (
          <ol class="timeline" data-testid="recent-activity">
            {items.map((a) => (
              <ActivityItem key={a.id} a={a} withPerson />
            ))}
          </ol>
        )}
      </PagedList>
    </section>
  );
}
