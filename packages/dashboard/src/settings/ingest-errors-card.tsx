import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { TimeAgo } from '../components/time-ago';
import { useAsync } from '../lib/use-async';

/**
 * The events the Pipelines API dropped (invalid, too large) or accepted without applying, newest
 * first: what its permissive `200 {}` answers hide from the client is shown to the operator here.
 */
export function IngestErrorsCard() {
  const page = useAsync((s) => App.pipelinesErrors(20, s), []);
  return (
    <section class="card" aria-labelledby="h-ingest">
      <h2 id="h-ingest">Pipelines ingest errors</h2>
      <AsyncView state={page} what="Pipelines ingest errors" label="Loading ingest errors…">
        {(p) =>
          p.errors.length === 0 ? (
            <p class="muted">No dropped events. Events the Pipelines API refuses are listed here.</p>
          ) : (
            <ul class="list">
              {p.errors.map((e) => (
                <li key={e.id}>
                  <TimeAgo unix={e.received_at} /> <strong>{e.reason}</strong> {e.type ?? ''}{' '}
                  {e.message_id ? <code>{e.message_id}</code> : null}
                  <div>{e.message}</div>
                  <div class="muted">{e.source}</div>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
