import type { AppSegment, WebhookView } from '@roster/protocol';
import { Badge } from '../components/badge';
import { Link } from '../components/link';
import { TimeAgo } from '../components/time-ago';
import { kindsInWords, webhookState } from '../models/webhooks';
import { CardTable } from '../components/card-table';

/** Subscriptions: where they POST, what they want, whether they are on, paused (and why) or off. */
export function WebhooksTable({ webhooks, segments }: { webhooks: WebhookView[]; segments: AppSegment[] }) {
  const segmentName = (id: number) => segments.find((s) => s.id === id)?.name ?? `segment ${id}`;
  return (
    <CardTable
      testId="webhooks-table"
      columns={[{ label: 'URL' }, { label: 'Sends' }, { label: 'State' }, { label: 'Created' }]}
    >
      {webhooks.map((w) => {
        const state = webhookState(w);
        return (
          <tr key={w.id}>
            <th scope="row">
              <Link href={`/webhooks/${w.id}`} class="break">
                {w.url}
              </Link>
              {w.description ? <div class="muted small">{w.description}</div> : null}
            </th>
            <td data-label="Sends" class="small">
              {kindsInWords(w, segmentName)}
            </td>
            <td data-label="State">
              <Badge tone={state.tone}>{state.label}</Badge>
              {w.paused ? <div class="muted small">{w.paused.reason}</div> : null}
            </td>
            <td data-label="Created">
              <TimeAgo unix={w.created_at} />
            </td>
          </tr>
        );
      })}
    </CardTable>
  );
}
