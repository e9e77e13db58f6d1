import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { PageTitle } from '../components/page-title';
import { useAsync } from '../lib/use-async';
import type { Interval } from '../models/chart';
import { EventsChartCard } from './events-chart-card';
import { RecentActivityCard } from './recent-activity-card';
import { TopEventsCard } from './top-events-card';

/** The workspace's activity: events over time, the most frequent names, and the feed. */
export function ActivityPage() {
  const [interval, setPeriod] = useState<Interval>('day');
  const [filter, setFilter] = useState<{ type: string; name: string }>({ type: '', name: '' });
  const stats = useAsync((s) => App.activityStats(interval, s), [interval]);
  return (
    <section>
      <PageTitle tab={['Activity']}>Activity</PageTitle>
      <div class="grid">
        <EventsChartCard stats={stats} interval={interval} onInterval={setPeriod} />
        <TopEventsCard
          stats={stats}
          interval={interval}
          onPick={(name) => setFilter({ type: 'event', name })}
        />
      </div>
      <RecentActivityCard filter={filter} onFilter={setFilter} />
    </section>
  );
}
