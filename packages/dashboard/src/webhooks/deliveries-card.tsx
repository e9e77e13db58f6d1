import type { WebhookDeliveryView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { CardTable } from '../components/card-table';
import { Empty } from '../components/empty';
import { Notice } from '../components/notice';
import { Pager } from '../components/pager';
import { TimeAgo } from '../components/time-ago';
import { useLivePages } from '../lib/use-live-pages';
import { num } from '../models/format';
import {
  DELIVERY_LISTS,
  type DeliveryStatus,
  deliveryTone,
  nextAttemptText,
  noDeliveries,
} from '../models/webhooks';
import { useReplay } from './use-replay';

/** Deliveries a page. */
const PAGE = 25;

/**
 * A subscription's deliveries, newest first, by status: pending ones with their attempts so far,
 * when the next one is due and the last error; failed and delivered ones can be sent again.
 */
export function DeliveriesCard({ webhookId, held }: { webhookId: number; held: boolean }) {
  const [status, setStatus] = useState<DeliveryStatus>('pending');
  const {
    cursor,
    state: deliveries,
    first,
  } = useLivePages(
    `${webhookId}:${status}`,
    (start, s) => App.webhookDeliveries(webhookId, { status, limit: PAGE, start }, s),
    [webhookId, status],
  );
  const replay = useReplay(webhookId, deliveries.reload);
  return (
    <section class="card" aria-labelledby="h-deliveries">
      <div class="row-between">
        <h2 id="h-deliveries">Deliveries</h2>
        <div class="inline">
          <div class="segmented" role="group" aria-label="Deliveries shown">
            {DELIVERY_LISTS.map((l) => (
              <button
                key={l.status}
                type="button"
                aria-pressed={status === l.status}
                onClick={() => setStatus(l.status)}
              >
                {l.label}
              </button>
            ))}
          </div>
          <button type="button" onClick={() => void replay.failed()}>
            Replay failed
          </button>
        </div>
      </div>
      <Notice outcome={replay.outcome} />
      <AsyncView state={deliveries} what="Deliveries" label="Loading deliveries…">
        {(page) =>
          page.deliveries.length === 0 && first ? (
            <Empty>{noDeliveries(status)}</Empty>
          ) : (
            <>
              <DeliveriesTable
                rows={page.deliveries}
                pending={status === 'pending'}
                held={held}
                onReplay={(d) => void replay.one(d.id, d.event_id)}
              />
              <Pager label="Deliveries" cursor={cursor} next={page.next} />
            </>
          )
        }
      </AsyncView>
    </section>
  );
}

function DeliveriesTable({
  rows,
  pending,
  held,
  onReplay,
}: {
  rows: readonly WebhookDeliveryView[];
  /** The pending list: when each goes next; else when each finished, and a replay. */
  pending: boolean;
  held: boolean;
  onReplay: (d: WebhookDeliveryView) => void;
}) {
  return (
    <CardTable
      testId="deliveries-table"
      columns={[
        { label: 'Queued' },
        { label: 'Event' },
        { label: 'Kind' },
        { label: 'Status' },
        { label: 'Attempts', num: true },
        { label: pending ? 'Next attempt' : 'Finished' },
        { label: 'Last error' },
        { label: 'Replay', hidden: true },
      ]}
    >
      {rows.map((d) => (
        <tr key={d.id} data-testid="delivery-row">
          <td data-label="Queued">
            <TimeAgo unix={d.created_at} />
          </td>
          <th scope="row" data-label="Event">
            <code class="small">{d.event_id}</code>
          </th>
          <td data-label="Kind">{d.event}</td>
          <td data-label="Status">
            <Badge tone={deliveryTone(d)}>{d.status}</Badge>
          </td>
          <td data-label="Attempts" class="num">
            {num(d.attempts)}
          </td>
          <td data-label={pending ? 'Next attempt' : 'Finished'}>
            {d.status === 'pending' ? nextAttemptText(d, held) : <TimeAgo unix={d.finished_at} />}
          </td>
          <td data-label="Last error" class="small break">
            {d.last_error ?? <span class="muted">—</span>}
          </td>
          <td>
            {d.status === 'pending' ? null : (
              <button
                type="button"
                class="small"
                aria-label={`Send ${d.event_id} again`}
                onClick={() => onReplay(d)}
              >
                Replay
              </button>
            )}
          </td>
        </tr>
      ))}
    </CardTable>
  );
}
