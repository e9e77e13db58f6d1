import type { WorkspaceView } from '@roster/protocol';
import { ApnsForm } from './apns-form';
import { FcmForm } from './fcm-form';
import { LogProviderForm } from './log-provider-form';

export function ProvidersCard({ w, onSaved }: { w: WorkspaceView['workspace']; onSaved: () => void }) {
  const of = (kind: string) => w.push_providers?.find((p) => p.kind === kind && p.configured);
  return (
    <section class="card" aria-labelledby="h-push">
      <h2 id="h-push">Push providers</h2>
      <p class="hint">
        Credentials are write-only: Roster never shows them again. Saving replaces what is stored.
      </p>
      <div class="two">
        <ApnsForm provider={of('apns')} onSaved={onSaved} />
        <FcmForm provider={of('fcm')} onSaved={onSaved} />
      </div>
      <LogProviderForm
        provider={of('log')}
        apns={of('apns') !== undefined}
        fcm={of('fcm') !== undefined}
        onSaved={onSaved}
      />
    </section>
  );
}
