import type { AppSegment } from '@roster/protocol';
import { App } from '../api/endpoints';
import { LineChart } from '../components/charts/line-chart';
import { Empty } from '../components/empty';
import { ErrorBox } from '../components/error-box';
import { Loading } from '../components/loading';
import { useAsync } from '../lib/use-async';

export function SegmentHistory({ segment }: { segment: AppSegment }) {
  const state = useAsync((s) => App.history(segment.id, s), [segment.id]);
  return (
    <section class="card" aria-labelledby="h-history">
      <h2 id="h-history">Size over time</h2>
      {state.error ? (
        <ErrorBox error={state.error} retry={state.reload} what="Size history" />
      ) : !state.data ? (
        <Loading label="Loading history…" />
      ) : state.data.length === 0 ? (
        <Empty>No history yet: sizes are recorded as people enter and leave.</Empty>
      ) : (
        <LineChart
          points={state.data}
          noun={state.data[state.data.length - 1]!.count === 1 ? 'person' : 'people'}
        />
      )}
    </section>
  );
}
