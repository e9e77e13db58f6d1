import { useState } from 'preact/hooks';
import { App } from '../api';
import { BarChart } from '../charts';
import { num, useAsync, usePaged } from '../lib';
import { Empty, ErrorBox, Loading, PagedList, PageTitle } from '../ui';
import { ActivityItem } from './person';

const TYPES: Array<{ value: string; label: string }> = [
  { value: '', label: 'All activity' },
  { value: 'event', label: 'Events' },
  { value: 'attribute_change', label: 'Attribute changes' },
  { value: 'device_change', label: 'Device changes' },
  { value: 'profile_create', label: 'New profiles' },
  { value: 'screen', label: 'Screens' },
  { value: 'page', label: 'Pages' },
  { value: 'sent_push', label: 'Pushes sent' },
];

export function ActivityPage() {
  const [interval, setPeriod] = useState<'hour' | 'day'>('hour');
  const [type, setType] = useState('');
  const [name, setName] = useState('');
  const stats = useAsync((s) => App.activityStats(interval, s), [interval]);
  const recent = usePaged(
    (start, s) =>
      App.allActivities({ start, limit: 25, type: type || undefined, name: name || undefined }, s).then(
        (r) => ({
          items: r.activities,
          next: r.next,
        }),
      ),
    [type, name],
  );

  return (
    <section>
      <PageTitle>Activity</PageTitle>
      <div class="grid">
        <section class="card col-2" aria-labelledby="h-events">
          <div class="row-between">
            <h2 id="h-events">Events per {interval}</h2>
            <div class="segmented" role="group" aria-label="Interval">
              {(['hour', 'day'] as const).map((i) => (
                <button key={i} type="button" aria-pressed={interval === i} onClick={() => setPeriod(i)}>
                  {i === 'hour' ? 'Hourly' : 'Daily'}
                </button>
              ))}
            </div>
          </div>
          {stats.error ? (
            <ErrorBox error={stats.error} retry={stats.reload} what="Event statistics" />
          ) : !stats.data ? (
            <Loading label="Loading statistics…" />
          ) : stats.data.buckets.every((b) => b.count === 0) ? (
            <Empty>No events in this period.</Empty>
          ) : (
            <BarChart points={stats.data.buckets} interval={interval} noun="events" />
          )}
        </section>
        <section class="card" aria-labelledby="h-top">
          <h2 id="h-top">Top event names</h2>
          {stats.error ? (
            <p class="muted small">Unavailable.</p>
          ) : !stats.data ? (
            <Loading />
          ) : stats.data.top_names.length === 0 ? (
            <Empty>No events yet.</Empty>
          ) : (
            <ol class="top">
              {stats.data.top_names.map((t) => {
                const max = stats.data!.top_names[0]!.count || 1;
                return (
                  <li key={t.name}>
                    <button
                      type="button"
                      class="linkish"
                      onClick={() => {
                        setType('event');
                        setName(t.name);
                      }}
                      aria-label={`${t.name}: ${t.count} events. Show them below.`}
                    >
                      <span class="top-name">{t.name}</span>
                      <span class="top-count">{num(t.count)}</span>
                      <span
                        class="top-bar"
                        style={{ width: `${(t.count / max) * 100}%` }}
                        aria-hidden="true"
                      />
                    </button>
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>

      <section class="card" aria-labelledby="h-recent">
        <div class="row-between">
          <h2 id="h-recent">Recent activity</h2>
          <div class="inline">
            <label class="inline small">
              Type{' '}
              <select
                value={type}
                onChange={(e) => {
                  setType(e.currentTarget.value);
                  setName('');
                }}
              >
                {TYPES.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>
            {name ? (
              <button
                type="button"
                class="small"
                onClick={() => setName('')}
                aria-label={`Stop filtering by the name ${name}`}
              >
                name: {name} ×
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
    </section>
  );
}
