import type { WebhookView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { TimeAgo } from '../components/time-ago';
import { useSegments } from '../data/use-segments';
import { useAsync } from '../lib/use-async';
import { fullTime } from '../models/format';
import { kindsInWords, webhookState } from '../models/webhooks';
import { AttemptsCard } from './attempts-card';
import { DeliveriesCard } from './deliveries-card';
import { SecretOnce } from './secret-once';
import { WebhookActions } from './webhook-actions';
import { WebhookForm } from './webhook-form';

/** One subscription: what it sends where, its state, its controls, its deliveries (pending, failed, delivered) and its delivery attempts. */
export function WebhookPage({ id }: { id: number }) {
  const loaded = useAsync((s) => App.webhook(id, s), [id]);
  const segments = useSegments();
  // What the last change answered (a rotation's answer is the only place its secret shows).
  const [changed, setChanged] = useState<WebhookView | null>(null);
  const [editing, setEditing] = useState(false);
  const segmentName = (sid: number) => segments.data?.find((s) => s.id === sid)?.name ?? `segment ${sid}`;
  return (
    <section>
      <PageTitle tab={[loaded.data?.url, 'Webhooks']}>
        <Link href="/webhooks" class="muted">
          Webhooks
        </Link>{' '}
        / Subscription {id}
      </PageTitle>
      <AsyncView state={loaded} what="The subscription" label="Loading subscription…">
        {(first) => {
          const w = changed ?? first;
          const state = webhookState(w);
          return (
            <>
              <section class="card" aria-labelledby="h-subscription">
                <h2 id="h-subscription" class="break">
                  {w.url}
                </h2>
                {changed?.secret ? <SecretOnce secret={changed.secret} rotated /> : null}
                <dl class="kv">
                  <dt>State</dt>
                  <dd data-testid="webhook-state">
                    <Badge tone={state.tone}>{state.label}</Badge>
                    {w.paused ? (
                      <span class="muted small">
                        {' '}
                        by Roster <TimeAgo unix={w.paused.at} />: {w.paused.reason}
                      </span>
                    ) : null}
                  </dd>
                  <dt>Sends</dt>
                  <dd>{kindsInWords(w, segmentName, 50)}</dd>
                  <dt>Per request</dt>
                  <dd data-testid="webhook-batch">
                    {w.batch > 1 ? `up to ${w.batch} events ({"events": [...]})` : 'one event'}
                  </dd>
                  {w.description ? (
                    <>
                      <dt>Description</dt>
                      <dd>{w.description}</dd>
                    </>
                  ) : null}
                  {w.previous_secret_expires_at && w.previous_secret_expires_at > Date.now() / 1000 ? (
                    <>
                      <dt>Previous secret</dt>
                      <dd>signs beside the new one until {fullTime(w.previous_secret_expires_at)}</dd>
                    </>
                  ) : null}
                  <dt>Created</dt>
                  <dd>
                    <TimeAgo unix={w.created_at} />
                  </dd>
                </dl>
                {editing ? (
                  <WebhookForm
                    webhook={w}
                    onCancel={() => setEditing(false)}
                    onSaved={(saved) => {
                      setChanged(saved);
                      setEditing(false);
                    }}
                  />
                ) : (
                  <WebhookActions webhook={w} onChanged={setChanged} onEdit={() => setEditing(true)} />
                )}
              </section>
              <DeliveriesCard webhookId={w.id} held={!w.enabled || !!w.paused} />
              <AttemptsCard webhookId={w.id} />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
