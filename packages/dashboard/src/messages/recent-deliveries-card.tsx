import type { AppCampaign, TransactionalMessage } from '@roster/protocol';
import { App } from '../api/endpoints';
import { Link } from '../components/link';
import { MessageStatus } from '../components/message-status';
import { PagedList } from '../components/paged-list';
import { TimeAgo } from '../components/time-ago';
import { Token } from '../components/token';
import { usePaged } from '../lib/use-paged';
import { personLabel } from '../models/format';
import { messageWords } from '../models/messages';
import { CardTable } from '../components/card-table';

/** What was sent: the message's title and source, to whom, where, when, and how it went. */
export function RecentDeliveriesCard({
  templates,
  campaigns,
}: {
  templates: TransactionalMessage[];
  campaigns: AppCampaign[];
}) {
  const state = usePaged(
    (start, s) => App.messages({ start, limit: 25 }, s).then((r) => ({ items: r.messages, next: r.next })),
    [],
  );
  return (
    <section class="card" aria-labelledby="h-deliveries">
      <h2 id="h-deliveries">Recent deliveries</h2>
      <PagedList state={state} what="Deliveries" empty="No messages have been sent yet.">
        {(items) => (
          <CardTable
            testId="deliveries-table"
            columns={[
              { label: 'Message' },
              { label: 'Status' },
              { label: 'Person' },
              { label: 'To' },
              { label: 'Sent' },
            ]}
          >
            {items.map((m) => {
              const w = messageWords(m, templates, campaigns);
              return (
                <tr key={m.id}>
                  <th scope="row" title={`Delivery ${m.id}`}>
                    {w.title}
                    <div class="muted small">{w.source}</div>
                  </th>
                  <td data-label="Status">
                    <MessageStatus metrics={m.metrics} failure={m.failure_message} />
                    {m.failure_message ? <div class="small muted">{m.failure_message}</div> : null}
                  </td>
                  <td data-label="Person">
                    {m.customer_identifiers?.cio_id ? (
                      <Link href={`/people/${encodeURIComponent(m.customer_identifiers.cio_id)}`}>
                        {personLabel(m.customer_identifiers)}
                      </Link>
                    ) : m.customer_identifiers ? (
                      // Sent to identifiers nobody had: no person page to link to.
                      <span>{personLabel(m.customer_identifiers)}</span>
                    ) : (
                      <span class="muted">deleted person</span>
                    )}
                  </td>
                  <td data-label="To">
                    {m.type === 'webhook' && m.recipient ? (
                      <span class="small break">{m.recipient}</span>
                    ) : m.recipient ? (
                      <Token value={m.recipient} />
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td data-label="Sent">
                    <TimeAgo unix={m.created} />
                  </td>
                </tr>
              );
            })}
          </CardTable>
        )}
      </PagedList>
    </section>
  );
}
