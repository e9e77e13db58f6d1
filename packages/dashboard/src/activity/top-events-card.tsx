import type { ActivityStats } from '@roster/protocol';
import { Empty } from '../components/empty';
import { Loading } from '../components/loading';
import type { AsyncState } from '../lib/use-async';
import type { Interval } from '../models/chart';
import { num } from '../models/format';

/** The most frequent event names in the chart's window; choosing one filters the feed below. */
export function TopEventsCard({
  stats,
  interval,
  onPick,
}: {
  stats: AsyncState<ActivityStats>;
  interval: Interval;
  onPick: (name: string) => void;
}) {
  const names = stats.data?.top_names ?? [];
  const max = names[0]?.count || 1;
  return (
    <section class="card" aria-labelledby="h-top">
      <h2 id="h-top">Top events, {interval === 'hour' ? 'last 48 hours' : 'last 30 days'}</h2>
      {stats.error ? (
        <p class="muted small">Unavailable.</p>
      ) : !stats.data ? (
        <Loading />
      ) : names.length === 0 ? (
        <Empty>No events yet.</Empty>
      ) : (
        <ol class="top">
          {names.map((t) => (
            <li key={t.name}>
              <button
                type="button"
                class="linkish"
                onClick={() => onPick(t.name)}
                aria-label={`${t.name}: ${num(t.count)} events. Show them below.`}
              >
                <span class="top-name">{t.name}</span>
                <span class="top-count">{num(t.count)}</span>
                <span class="top-bar" style={{ width: `${(t.count / max) * 100}%` }} aria-hidden="true" />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
