import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { PageTitle } from '../components/page-title';
import { useAsync } from '../lib/use-async';
import { IndexedAttributesCard } from './indexed-attributes-card';
import { IngestErrorsCard } from './ingest-errors-card';
import { KeysCard } from './keys-card';
import { ProvidersCard } from './providers-card';
import { WorkspaceCard } from './workspace-card';

export function SettingsPage() {
  const ws = useAsync((s) => App.workspace(s), []);
  return (
    <section>
      <PageTitle tab={['Settings']}>Settings</PageTitle>
      <AsyncView state={ws} what="Workspace settings" label="Loading workspace…">
        {(w) => (
          <>
            <WorkspaceCard w={w} onSaved={ws.reload} />
            <KeysCard siteId={w.site_id} />
            <ProvidersCard w={w} onSaved={ws.reload} />
            <IngestErrorsCard />
            <IndexedAttributesCard />
          </>
        )}
      </AsyncView>
    </section>
  );
}
