import type { AppSegment, WebhookView } from '@roster/protocol';
import { Badge } from '../components/badge';
import { Link } from '../components/link';
import { TimeAgo } from '../components/time-ago';
import { kindsInWords, webhookState } from '../models/webhooks';

/** Subscriptions: where they POST, what they want, whether they are on, paused (and why) or off. */
export function WebhooksTable({ webhooks, segments }: { webhooks: WebhookView[]; segments: AppSegment[] }) {
  const segmentName = (id: number) => segments.find((s) => s.id === id)?.name ?? `segment ${id}`;
  return (
    <div class="table-wrap">
      <table class="cards" data-testid="webhooks-table">
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Sends</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}
