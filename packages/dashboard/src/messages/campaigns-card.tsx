import type { AppCampaign, AppSegment, TransactionalMessage } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Empty } from '../components/empty';
import type { AsyncState } from '../lib/use-async';
import { actionKind, campaignWords } from '../models/campaign-words';
import { num } from '../models/format';
import { segmentNames } from '../models/segment-names';
import { BroadcastSend } from './broadcast-send';
import { CampaignEditor } from './campaign-editor';
import { CardTable } from '../components/card-table';

type Open =
  | { kind: 'edit'; campaign: AppCampaign }
  | { kind: 'new'; type: 'triggered' | 'broadcast' }
  | { kind: 'send'; campaign: AppCampaign };

/** Campaigns (sent on a trigger) and broadcasts (sent when you say): listed, created, edited, sent. */
export function CampaignsCard({
  campaigns,
  templates,
  segments,
}: {
  campaigns: AsyncState<AppCampaign[]>;
  templates: TransactionalMessage[];
  segments: AppSegment[];
}) {
  const [open, setOpenState] = useState<Open | null>(null);
  // A new editor when someone opens another campaign, not when a save turns "new" into "edit".
  const [session, setSession] = useState(0);
  const setOpen = (o: Open | null) => {
    setOpenState(o);
    setSession((n) => n + 1);
  };
  const names = segmentNames(segments);
  const isOpen = (c: AppCampaign, kind: Open['kind']) =>
    open?.kind === kind && 'campaign' in open && open.campaign.id === c.id;
  return (
    <section class="card" aria-labelledby="h-campaigns">
      <div class="row-between">
        <h2 id="h-campaigns">Campaigns and broadcasts</h2>
        <div class="inline">
          <button type="button" onClick={() => setOpen({ kind: 'new', type: 'triggered' })}>
            New campaign
          </button>
          <button type="button" onClick={() => setOpen({ kind: 'new', type: 'broadcast' })}>
            New broadcast
          </button>
        </div>
      </div>
      <AsyncView state={campaigns} what="Campaigns">
        {(list) =>
          list.length === 0 ? (
            <Empty>
              No campaigns or broadcasts yet. A <strong>campaign</strong> sends a push or a webhook request
              when someone does an event or enters a segment; a <strong>broadcast</strong> sends to an
              audience when you press Send. Create one here, or with <code>POST /v1/campaigns</code>{' '}
              (docs/messaging.md).
            </Empty>
          ) : (
            <CardTable
              testId="campaigns-table"
              columns={[
                { label: 'Name' },
                { label: 'Sends' },
                { label: 'Status' },
                { label: 'Sent', num: true },
                { label: 'Opened', num: true },
                { label: 'Failed', num: true },
                { label: 'Actions', hidden: true },
              ]}
            >
              {list.map((c) => {
                const w = campaignWords(c, names, templates);
                return (
                  <tr key={c.id}>
                    <th scope="row">
                      {c.name}
                      <div class="muted small" data-testid="campaign-kind">
                        {c.type === 'broadcast' ? 'Broadcast' : 'Campaign'} ·{' '}
                        {actionKind(c) === 'webhook' ? 'webhook' : 'push'}
                      </div>
                    </th>
                    <td data-label="Sends">
                      {w.when}: {w.what} to {w.who}, {w.schedule}.
                    </td>
                    <td data-label="Status">
                      <Badge tone={c.active ? 'good' : 'neutral'}>{c.active ? 'active' : 'paused'}</Badge>
                    </td>
                    <td class="num" data-label="Sent">
                      {num(c.metrics?.sent ?? 0)}
                    </td>
                    <td class="num" data-label="Opened">
                      {num(c.metrics?.opened ?? 0)}
                    </td>
                    <td class="num" data-label="Failed">
                      {num((c.metrics?.failed ?? 0) + (c.metrics?.bounced ?? 0))}
                    </td>
                    <td class="actions-cell">
                      <button
                        type="button"
                        class="small"
                        aria-expanded={isOpen(c, 'edit')}
                        onClick={() => setOpen(isOpen(c, 'edit') ? null : { kind: 'edit', campaign: c })}
                      >
                        Edit<span class="sr-only"> {c.name}</span>
                      </button>
                      {c.type === 'broadcast' ? (
                        <button
                          type="button"
                          class="small"
                          aria-expanded={isOpen(c, 'send')}
                          onClick={() => setOpen(isOpen(c, 'send') ? null : { kind: 'send', campaign: c })}
                        >
                          Send…<span class="sr-only"> {c.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </CardTable>
          )
        }
      </AsyncView>
      {open?.kind === 'send' ? (
        <BroadcastSend key={session} campaign={open.campaign} onSent={campaigns.reload} />
      ) : open ? (
        <CampaignEditor
          key={session}
          campaign={open.kind === 'edit' ? open.campaign : null}
          type={open.kind === 'new' ? open.type : open.campaign.type}
          templates={templates}
          segments={segments}
          onCancel={() => setOpen(null)}
          onSaved={(c) => {
            campaigns.reload();
            setOpenState({ kind: 'edit', campaign: c });
          }}
        />
      ) : null}
    </section>
  );
}
