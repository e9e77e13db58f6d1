import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Empty } from '../components/empty';
import { Notice } from '../components/notice';
import { TimeAgo } from '../components/time-ago';
import { Pager } from '../components/pager';
import { useLivePages } from '../lib/use-live-pages';
import { num } from '../models/format';
import { attemptAnswer, attemptTone, newestPerEvent } from '../models/webhooks';
import { CardTable } from '../components/card-table';
import { useReplay } from './use-replay';

/** Attempts a page. */
const PAGE = 50;

/**
 * Every delivery attempt, newest first: when, which event, what the receiver answered, how long it
 * took, the start of its answer or the error; each finished delivery can be sent again.
 */
export function AttemptsCard({ webhookId }: { webhookId: number }) {
  const {
    cursor,
    state: attempts,
    first,
  } = useLivePages(
    String(webhookId),
    (start, s) => App.webhookAttempts(webhookId, { limit: PAGE, start }, s),
    [webhookId],
  );
  const replay = useReplay(webhookId, attempts.reload);
  return (
    <section class="card" aria-labelledby="h-attempts">
      <div class="row-between">
        <h2 id="h-attempts">Attempts</h2>
        <div class="inline">
          <button type="button" onClick={attempts.reload}>
            Refresh
          </button>
        </div>
      </div>
      <Notice outcome={replay.outcome} />
      <AsyncView state={attempts} what="Attempts" label="Loading attempts…">
        {(page) => {
          if (page.attempts.length === 0 && first)
            return (
              <Empty>No attempts yet. Each change this subscription wants is POSTed within seconds.</Empty>
            );
          const newest = newestPerEvent(page.attempts);
          return (
            <>
              <CardTable
                testId="attempts-table"
                columns={[
                  { label: 'When' },
                  { label: 'Event' },
                  { label: 'Outcome' },
                  { label: 'Answer', num: true },
                  { label: 'Latency', num: true },
                  { label: 'Response' },
                  { label: 'Replay', hidden: true },
                ]}
              >
                {page.attempts.map((a) => (
                  <tr key={a.id} data-testid="attempt-row">
                    <td data-label="When">
                      <TimeAgo unix={Math.floor(a.attempted_at_ms / 1000)} />
                    </td>
                    <th scope="row" data-label="Event">
                      <code class="small">{a.event_id}</code>
                    </th>
                    <td data-label="Outcome">
                      <Badge tone={attemptTone(a)}>{a.outcome}</Badge>
                    </td>
                    <td data-label="Answer" class="num">
                      {attemptAnswer(a)}
                    </td>
                    <td data-label="Latency" class="num">
                      {num(a.latency_ms)} ms
                    </td>
                    <td data-label="Response" class="small break">
                      {a.error ? <div>{a.error}</div> : null}
                      {a.response_excerpt ? <code class="muted">{a.response_excerpt}</code> : null}
                    </td>
                    <td>
                      {newest.has(a.id) && a.outcome !== 'retry' ? (
                        <button
                          type="button"
                          class="small"
                          aria-label={`Replay ${a.event_id}`}
                          onClick={() => void replay.one(a.delivery_id, a.event_id)}
                        >
                          Replay
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </CardTable>
              <Pager label="Attempts" cursor={cursor} next={page.next} />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
