import type { WebhookView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { useSegments } from '../data/use-segments';
import { useAsync } from '../lib/use-async';
import { SecretOnce } from './secret-once';
import { WebhookForm } from './webhook-form';
import { WebhooksTable } from './webhooks-table';

/** The workspace's webhook subscriptions, and a form for a new one (its secret is shown once). */
export function WebhooksPage() {
  const list = useAsync((s) => App.webhooks(s), []);
  const segments = useSegments();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookView | null>(null);
  return (
    <section>
      <PageTitle
        tab={['Webhooks']}
        actions={
          <button
            type="button"
            class="primary"
            aria-expanded={creating}
            onClick={() => {
              setCreating(!creating);
              setCreated(null);
            }}
          >
            New subscription
          </button>
        }
      >
        Webhooks
      </PageTitle>
      {creating ? (
        <section class="card" aria-labelledby="h-new-webhook">
          <h2 id="h-new-webhook">New subscription</h2>
          <WebhookForm
            webhook={null}
            onCancel={() => setCreating(false)}
            onSaved={(w) => {
              setCreated(w);
              setCreating(false);
              list.reload();
            }}
          />
        </section>
      ) : null}
      {created?.secret ? (
        <section class="card" aria-label="New subscription's secret">
          <SecretOnce secret={created.secret} rotated={false} />
          <p>
            <Link href={`/webhooks/${created.id}`}>See its deliveries</Link>
          </p>
        </section>
      ) : null}
      <AsyncView state={list} what="Webhook subscriptions" label="Loading subscriptions…">
        {(webhooks) =>
          webhooks.length === 0 ? (
            <Empty>
              No subscriptions yet. A subscription POSTs each change you choose (people, devices, events,
              segments, messages, objects) as signed JSON to a URL of yours.
            </Empty>
          ) : (
            <WebhooksTable webhooks={webhooks} segments={segments.data ?? []} />
          )
        }
      </AsyncView>
    </section>
  );
}
