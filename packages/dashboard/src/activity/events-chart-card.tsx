import type { ActivityStats } from '@roster/protocol';
import { BarChart } from '../components/charts/bar-chart';
import { Empty } from '../components/empty';
import { ErrorBox } from '../components/error-box';
import { Loading } from '../components/loading';
import type { AsyncState } from '../lib/use-async';
import type { Interval } from '../models/chart';

/** Events per day (30 days) or per hour (48 hours). */
export function EventsChartCard({
  stats,
  interval,
  onInterval,
}: {
  stats: AsyncState<ActivityStats>;
  interval: Interval;
  onInterval: (i: Interval) => void;
}) {
  return (
    <section class="card" aria-labelledby="h-events">
      <div class="row-between">
        <h2 id="h-events">
          {interval === 'hour' ? 'Events per hour, last 48 hours' : 'Events per day, last 30 days'}
        </h2>
        <div class="segmented" role="group" aria-label="Interval">
          {(['day', 'hour'] as const).map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => onInterval(i)}>
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
  );
}
