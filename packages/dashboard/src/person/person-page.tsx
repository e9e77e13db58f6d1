import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Badge } from '../components/badge';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { useAsync } from '../lib/use-async';
import { useTitle } from '../lib/use-title';
import { personLabel } from '../models/format';
import { AttributesCard } from './attributes-card';
import { DevicesCard } from './devices-card';
import { IdentifiersCard } from './identifiers-card';
import { MessagesCard } from './messages-card';
import { ObjectsCard } from './objects-card';
import { SegmentsCard } from './segments-card';
import { TestPushCard } from './test-push-card';
import { TimelineCard } from './timeline-card';

/** One person: who they are, their devices, segments, messages, a test push and their story. */
export function PersonPage({ cioId }: { cioId: string }) {
  const customer = useAsync((s) => App.customer(cioId, s), [cioId]);
  const [tick, setTick] = useState(0);
  // While loading (and for the not-found page) the tab still says where we are.
  useTitle(customer.data ? personLabel(customer.data.identifiers) : 'Person', 'People');

  if (customer.error instanceof ApiError && customer.error.status === 404 && !customer.error.missingRoute) {
    return (
      <section>
        <PageTitle tab={['Person not found', 'People']}>Person not found</PageTitle>
        <Empty>
          Nobody with cio_id <code>{cioId}</code> exists in this workspace (they may have been deleted or
          merged). <Link href="/people">Back to People</Link>
        </Empty>
      </section>
    );
  }

  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/people">People</Link> <span aria-hidden="true">/</span>
      </nav>
      <AsyncView state={customer} what="Profile" label="Loading profile…">
        {(c) => {
          const name = personLabel(c.identifiers);
          return (
            <>
              <PageTitle
                tab={[name, 'People']}
                actions={
                  c.unsubscribed ? (
                    <Badge tone="warn">Unsubscribed</Badge>
                  ) : (
                    <Badge tone="good">Subscribed</Badge>
                  )
                }
              >
                {name}
              </PageTitle>
              <div class="grid">
                <div class="col">
                  <IdentifiersCard c={c} />
                  <AttributesCard c={c} />
                  <DevicesCard c={c} />
                </div>
                <div class="col">
                  <SegmentsCard cioId={cioId} />
                  <ObjectsCard cioId={cioId} />
                  <TestPushCard c={c} onSent={() => setTick((t) => t + 1)} />
                  <MessagesCard cioId={cioId} tick={tick} />
                </div>
              </div>
              <TimelineCard cioId={cioId} tick={tick} />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
